"""DuckDB, the warehouse's engine: where the file is, how it opens, how it reads the
operational database.

DuckDB is pinned at 1.4.4 (``parquet`` and ``json`` built in) and its SQLite and
PostgreSQL scanners come from PyPI (``duckdb-ext-sqlite``, ``duckdb-ext-postgres``), loaded
from the folder those packages install. Automatic installation is off: a missing
extension fails at once instead of waiting on a download that cannot happen.

The operational database is read in bulk by the scanner, never row by row through the
ORM: a SQLite file is attached read-only as it is (WAL lets it be read while Panorama
writes), but only in a child process that never opens it through Django (``child.py``);
an in-memory one (the tests), or any with ``WAREHOUSE_SQLITE_COPY``, is first copied to a
file with SQLite's online backup; PostgreSQL is attached read-only through libpq.
"""

import contextlib
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import duckdb_ext
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from panorama.core.exceptions import Conflict

SOURCE = "src"  # the name the operational database is attached under


def warehouse_file() -> Path:
    """The DuckDB file: ``WAREHOUSE_PATH`` itself when it names a ``.duckdb`` file,
    otherwise ``warehouse.duckdb`` inside that folder (the default ``var/warehouse``)."""
    path = Path(settings.WAREHOUSE_PATH)
    if path.suffix == ".duckdb":
        return path
    return path / "warehouse.duckdb"


def warehouse_dir() -> Path:
    """The folder beside the DuckDB file: Parquet export, status file, snapshots."""
    folder = warehouse_file().parent
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def parquet_dir() -> Path:
    return warehouse_dir() / "parquet"


def _config() -> dict[str, str | bool | int | float | list[str]]:
    return {
        "extension_directory": os.path.join(duckdb_ext.__path__[0], "extensions"),
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "threads": settings.WAREHOUSE_THREADS,
    }


def connect(*, read_only: bool = False, path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file. DuckDB lets one process write a file, and
    no other open it meanwhile: a reader that meets the writer's lock retries for
    ``WAREHOUSE_BUSY_SECONDS``, then gets a ``Conflict`` ("being refreshed")."""
    target = path or warehouse_file()
    if read_only and not target.exists():
        raise Conflict(_("The warehouse has not been built yet."))
    target.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + settings.WAREHOUSE_BUSY_SECONDS
    while True:
        try:
            con = duckdb.connect(str(target), read_only=read_only, config=_config())
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise Conflict(
                    _("The warehouse is being refreshed; try again in a moment.")
                ) from exc
            time.sleep(0.05)
    return session(con)


def session(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A connection's own settings, for one from ``connect`` and for each cursor of it
    (a cursor is a connection of its own: it would take the process's time zone, which
    Django sets to ``TIME_ZONE``, and ``current_timestamp`` would be local time)."""
    con.execute("SET TimeZone = 'UTC'")
    return con


@dataclass(frozen=True)
class Source:
    """The operational database as a load attaches it: a PostgreSQL connection string,
    or a SQLite file. ``live`` marks the running database's own file (not a copy): only
    a child process may attach it (``child.py``)."""

    vendor: str
    target: str
    live: bool = False


def sqlite_live_file() -> Path | None:
    """The SQLite database's file, or None for an in-memory database (the tests)."""
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        return None
    return Path(name)


def source_for_load() -> Source:
    """Where this load reads the operational database from. SQLite: the live file (read
    by a child process that alone opens it), or, for an in-memory database or with
    ``WAREHOUSE_SQLITE_COPY``, a copy made here (see ``source_attached``)."""
    vendor = connection.vendor
    if vendor == "postgresql":
        return Source("postgresql", _libpq(connection.settings_dict))
    if vendor != "sqlite":
        raise Conflict(_("The warehouse reads SQLite or PostgreSQL only."))
    live = sqlite_live_file()
    if live is not None and not settings.WAREHOUSE_SQLITE_COPY:
        return Source("sqlite", str(live), live=True)
    return Source("sqlite", str(_sqlite_snapshot()))


@contextlib.contextmanager
def source_attached(con: duckdb.DuckDBPyConnection, source: Source) -> Iterator[str]:
    """Attach the operational database read-only as ``src``; yields the vendor.

    SQLite: the scanner carries its own SQLite library, and two libraries in one process
    do not see each other's locks (POSIX locks belong to the process). Attached beside
    Django's connection, the scanner's took the WAL index for its own and reset it under
    Django's connection, which then died of SIGBUS on its next write (the bench's 100k
    build, then the worker's). So the live file is attached only in a child process
    that never opens it through Django (``child.py``); a process that holds Django's
    connection attaches a copy only its scanner opens."""
    if source.live and not child_process():
        raise RuntimeError("The live SQLite file is attached only in the load's child process.")
    try:
        if source.vendor == "sqlite":
            con.execute("LOAD sqlite_scanner")
            con.execute(f"ATTACH '{_quote(source.target)}' AS {SOURCE} (TYPE sqlite, READ_ONLY)")
        else:
            con.execute("LOAD postgres_scanner")
            con.execute(f"ATTACH '{_quote(source.target)}' AS {SOURCE} (TYPE postgres, READ_ONLY)")
        yield source.vendor
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute(f"DETACH {SOURCE}")


def source_release(source: Source) -> None:
    """Remove the copy a load read (nothing for the live file or PostgreSQL)."""
    if source.vendor == "sqlite" and not source.live:
        Path(source.target).unlink(missing_ok=True)


_IN_CHILD = [False]


def child_process() -> bool:
    """True in the load's child process (``child.py``), which never opens Django's
    database."""
    return _IN_CHILD[0]


def _sqlite_snapshot() -> Path:
    """Copy the SQLite database (a file, or the tests' in-memory one) to a file of the
    warehouse's folder that only the scanner opens (``source_attached``)."""
    connection.ensure_connection()
    handle, name = tempfile.mkstemp(suffix=".sqlite3", dir=warehouse_dir())
    os.close(handle)
    target = sqlite3.connect(name)
    tries = [0]

    def progress(status, remaining, total):
        # sqlite3's backup retries a locked source for ever: give up after ~5 s.
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            tries[0] += 1
            if tries[0] > 20:
                raise Conflict(_("The database is busy: try the refresh again in a moment."))

    try:
        connection.connection.backup(target, progress=progress)
    finally:
        target.close()
    return Path(name)


def _libpq(info: dict) -> str:
    parts = {
        "dbname": info.get("NAME"),
        "user": info.get("USER"),
        "password": info.get("PASSWORD"),
        "host": info.get("HOST"),
        "port": info.get("PORT"),
    }
    return " ".join(f"{key}={value}" for key, value in parts.items() if value)


def _quote(text: str) -> str:
    return text.replace("'", "''")
