"""The test database, migrated once per run and copied for the other xdist workers.

Migrating an empty database renders the migration state some twenty thousand times:
half a minute of CPU on an idle machine, a minute and a half on a busy one, which each
xdist worker paid for its own database. The first worker to get here migrates its
database as before (``panorama migrate``: every migration, the RunPython and RunSQL
ones' triggers, FTS tables and collations included); the others start from a copy of
it (SQLite: ``backup`` of the in-memory database through a file; PostgreSQL:
``CREATE DATABASE ... TEMPLATE``, made by the first worker while nobody else is
connected to its database). Each worker then runs ``migrate`` on its copy all the same
(nothing is left to apply: it checks the migrations and sends ``post_migrate``), so its
database is set up the way Django sets up a test database.

Without xdist, or with pytest-django's --reuse-db, --create-db or --no-migrations,
pytest-django's own ``django_db_setup`` runs unchanged.
"""

import fcntl
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connection


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One worker at a time (an exclusive lock on ``path``)."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def can_copy(aliases, plain: bool) -> bool:
    """Whether the copying set-up applies: the default database only, on SQLite in
    memory or PostgreSQL, and ``plain`` (none of pytest-django's options that change the
    set-up: --reuse-db, --create-db, --no-migrations)."""
    if set(aliases) != {DEFAULT_DB_ALIAS} or not plain:
        return False
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and connection.creation.is_in_memory_db(
        connection.creation._get_test_db_name()
    )


def _worker_database(name: str, worker: str, other: str) -> str:
    """Another worker's PostgreSQL test database (pytest-django suffixes each one's)."""
    assert name.endswith(f"_{worker}"), name
    return f"{name[: -len(worker)]}{other}"


@contextmanager
def prepared(shared: Path, worker: str, workers: int) -> Iterator[bool]:
    """Prepare this worker's test database before ``setup_databases`` runs; yields
    whether it is already there (a copy: set it up with keepdb), else the caller
    migrates it and, on leaving, copies it for the other workers."""
    done = shared / "test-database.done"
    with _locked(shared / "test-database.lock"):
        if done.exists():
            if connection.vendor == "sqlite":
                _restore_sqlite(shared / "test-database.sqlite3")
            yield True
            return
        yield False
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(shared / "test-database.sqlite3")
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            _copy_postgres(worker, workers)
        done.touch()


# The in-memory database a restored worker's connections open; a connection of the
# fixture's own holds it for the run (SQLite drops it when its last connection closes,
# and Django closes its own while it sets the test database up).
_holder: list[sqlite3.Connection] = []


def _restore_sqlite(path: Path) -> None:
    name = connection.creation._get_test_db_name()
    holder = sqlite3.connect(name, uri=True)
    source = sqlite3.connect(path)
    try:
        source.backup(holder)
    finally:
        source.close()
    _holder.append(holder)


def disconnect_others() -> None:
    """PostgreSQL refuses to drop a database someone is connected to: a connection a
    test's thread left open (a live server's, a worker's) would fail the whole run at its
    very end. Those sessions are closed before the worker drops its copy."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def release() -> None:
    while _holder:
        _holder.pop().close()


def _copy_postgres(worker: str, workers: int) -> None:
    name = connection.settings_dict["NAME"]
    connection.close()  # a template is copied only while nobody is connected to it
    with connection._nodb_cursor() as cursor:
        for n in range(workers):
            if f"gw{n}" == worker:
                continue
            copy = _worker_database(name, worker, f"gw{n}")
            cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
            cursor.execute(f'CREATE DATABASE "{copy}" WITH TEMPLATE "{name}"')
