"""The load's child process, the only one that opens a live SQLite file through DuckDB.

DuckDB's ``sqlite_scanner`` carries its own SQLite library. Two SQLite libraries in one
process do not see each other's POSIX locks (they belong to the process, and each
library keeps its own table of them), so the scanner, attached beside Django's
connection, once reset the WAL index under it (SIGBUS on Django's next write). A load
on SQLite therefore runs its DuckDB part here: a new interpreter (no inherited
connection), which never opens Django's database (refused below) and attaches
the file read-only through the scanner alone. Across processes SQLite's locks work as
designed: the Django processes write on, the child reads.

What the child reads: each table scan, and each slice of ~122,880 rows of a large
table, is its own read of the file as committed at that moment (the scanner of DuckDB
1.4.4 opens a connection per scan, outside the DuckDB transaction; checked with a
writer in another process). So a load started while Panorama writes sees every row
committed before it began, and the rows committed during it in some tables and not yet
in others (an order line whose order was read before the order was saved). Nothing is
lost: the next refresh reads every table past its watermark (ids for appended facts,
``updated_at`` for the others), and an order's lines are reloaded with it. For one
moment across every table, ``WAREHOUSE_SQLITE_COPY`` makes the load read a copy taken
first with the backup API (the cost: a copy of the database per load).

The parent keeps what needs Django (the dynamic segments' members, computed before the
child starts; the status file; the Parquet export, which reads only the warehouse) and
gets the child's progress and result through a pipe.
"""

import os
import subprocess
import sys
from multiprocessing.connection import Connection, Pipe
from typing import Any

SETTINGS_PREFIX = "WAREHOUSE_"


def load_in_child(job, source, progress):
    """Run ``load.load_steps(job, source)`` in a new process; returns its ``LoadResult``.
    A ``Conflict`` in the child (the warehouse busy) is raised here as one; any other
    failure as a ``RuntimeError`` carrying the child's message.

    The child is ``python -m panorama.analytics.warehouse.child``, not a
    ``multiprocessing`` spawn: a spawn imports the parent's main module again, and a
    script without a ``__main__`` guard would run again in the child. The job and the
    replies go through two pipes handed to the child by descriptor."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    from panorama.core.exceptions import Conflict

    payload = {
        "settings_module": os.environ.get("DJANGO_SETTINGS_MODULE", ""),
        "settings": {
            name: getattr(settings, name)
            for name in dir(settings)
            if name.startswith(SETTINGS_PREFIX)
        },
        "kind": job.kind,
        "as_of": job.as_of,
        "members": job.members,
        "source": (source.vendor, source.target, source.live),
    }
    job_read, job_write = Pipe(duplex=False)
    reply_read, reply_write = Pipe(duplex=False)
    # The same modules as this process (tests put the worktree's sources first).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    process = subprocess.Popen(  # noqa: S603 - our own module, this interpreter
        [
            sys.executable,
            "-m",
            "panorama.analytics.warehouse.child",
            str(job_read.fileno()),
            str(reply_write.fileno()),
        ],
        pass_fds=(job_read.fileno(), reply_write.fileno()),
        env=env,
    )
    job_read.close()
    reply_write.close()
    result, failure = None, None
    try:
        job_write.send(payload)
        job_write.close()
        while True:
            try:
                message = reply_read.recv()
            except EOFError:
                break
            if message[0] == "progress":
                if progress:
                    progress(*message[1:])
            elif message[0] == "done":
                result = message[1]
            else:
                failure = message[1:]
        process.wait()
    except BaseException:
        process.kill()
        process.wait()
        raise
    finally:
        reply_read.close()
    if failure is not None:
        kind, text = failure
        if kind == "conflict":
            raise Conflict(_(text))  # a message of ours, in English from the child
        raise RuntimeError(text)
    if result is None:
        raise RuntimeError(
            f"The warehouse load's process ended without a result (exit code {process.returncode})."
        )
    return result


def child_main(job_fd: int, reply_fd: int) -> None:
    """The child: Django's settings (not its apps nor its database), then the DuckDB load."""
    with Connection(job_fd, writable=False) as receive:
        payload: dict[str, Any] = receive.recv()
    send = Connection(reply_fd, readable=False)
    if payload["settings_module"]:
        os.environ["DJANGO_SETTINGS_MODULE"] = payload["settings_module"]
    # Django's settings, not its apps: the DuckDB part needs no model, and ``setup()``
    # (every app and model imported) cost 1.9 of the child's 2.1 CPU seconds of start.
    # Without the apps there are no translations: messages go back in English and the
    # parent translates them.
    from django.conf import settings

    for name, value in payload["settings"].items():
        setattr(settings, name, value)
    settings.USE_I18N = False  # before any message: gettext then returns it as written
    _refuse_database()
    _without_pandas()

    from panorama.core.exceptions import Conflict

    from . import engine, load

    engine._IN_CHILD[0] = True
    vendor, target, live = payload["source"]
    job = load.Job(kind=payload["kind"], as_of=payload["as_of"], members=payload["members"])

    def progress(step: str, done: int, total: int) -> None:
        send.send(("progress", step, done, total))

    try:
        result = load.load_steps(job, engine.Source(vendor, target, live), progress)
        send.send(("done", result))
    except Conflict as exc:
        send.send(("failed", "conflict", str(exc)))
    except Exception as exc:  # the parent records it in the status and raises it
        send.send(("failed", "error", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _without_pandas() -> None:
    """DuckDB's Python module imports pandas (and numpy) on the first statement given
    parameters, to check their types: 0.76 CPU s of the child's start on every load,
    for a part that never hands DuckDB a pandas object (the segments' members are numpy
    arrays, which DuckDB scans without pandas). Marked missing here, DuckDB takes the
    parameters as the plain Python values they are (0.02 CPU s)."""
    sys.modules.setdefault("pandas", None)  # type: ignore[arg-type]


def _refuse_database() -> None:
    """Django's connections in this process would open the file through a second SQLite
    library beside the scanner's: any attempt fails instead."""
    from django.db import connections

    def refuse(*args, **kwargs):
        raise RuntimeError("The warehouse's load process never opens Django's database.")

    for alias in connections:
        setattr(connections[alias], "connect", refuse)  # noqa: B010


if __name__ == "__main__":
    child_main(int(sys.argv[1]), int(sys.argv[2]))
