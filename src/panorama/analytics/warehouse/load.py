"""Full build and incremental refresh of the warehouse.

``warehouse_build`` writes a new DuckDB file beside the current one and swaps it in,
so dashboards read the previous file until the new one is complete. ``warehouse_refresh``
updates the file in place with what changed since the last load (``schema`` says how
each table finds its changes) and removes what the operational database no longer
holds (an erased customer and everything that cascaded with him). A build builds the
marts whole; a refresh rebuilds the per-customer ones for the customers it changed
(``marts.Changes``) and the others whole. Both re-export the Parquet copy when one
exists, and record the run.

One load at a time: a second one meets the lock file and is refused with a message.
"""

import contextlib
import fcntl
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.core.exceptions import Conflict

from . import engine, marts, parquet, pushdown, schema, score_columns, segments, status
from .deletions import DeletionLog
from .table_load import columns_follow, load_table, watermark
from .tables import Table, main_columns, without_primary_key

Progress = Callable[[str, int, int], None]

META = """
CREATE TABLE IF NOT EXISTS wh_watermark (table_name VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS wh_run (
    run_id INTEGER PRIMARY KEY, kind VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
    seconds DOUBLE, rows_changed BIGINT, rows_deleted BIGINT);
CREATE SEQUENCE IF NOT EXISTS customer_key_seq START 1;
"""


@dataclass
class LoadResult:
    kind: str
    seconds: float = 0.0
    changed: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    # Rows a refresh read from the source per table, for the tables that read only
    # what changed (their changed rows and their deletion log entries).
    source_rows: dict[str, int] = field(default_factory=dict)
    # Deletion log entries up to this id are pruned from the source after the load
    # (those the load before had seen, see ``deletions.DeletionLog``).
    deletion_prune: int | None = None
    # Tables a refresh dropped and loaded whole (their columns changed).
    rebuilt: list[str] = field(default_factory=list)
    # Tables whose rows a refresh reloaded came back identical (the rows at the edge of
    # the watermark are read again on every refresh): their Parquet file stays.
    same: list[str] = field(default_factory=list)
    # Seconds per step (each table, then the marts), for the load summary and the bench.
    timings: dict[str, float] = field(default_factory=dict)
    # CPU seconds of the DuckDB part (its threads included) per phase and per mart: the
    # figures to compare on a shared machine, where the wall seconds wait for a core.
    cpu: dict[str, float] = field(default_factory=dict)
    # Tables whose changed rows a refresh had SQLite find by index (``pushdown.py``).
    narrowed: list[str] = field(default_factory=list)
    # Marts a refresh rebuilt only for the customers it changed (``marts/refresh.py``).
    marts_per_customer: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _exclusive() -> Iterator[None]:
    lock_path = engine.warehouse_dir() / ".load.lock"
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise Conflict(_("A warehouse load is already running.")) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Job:
    """What a load needs besides the source: taken in the process that holds Django's
    connection (the dynamic segments are queries through the ORM), and handed to the
    process that runs the DuckDB part (``child.py`` for a live SQLite file)."""

    kind: str  # build | refresh
    as_of: date
    members: list = field(default_factory=list)  # (segment key, customer ids or None)


def warehouse_build(*, progress: Progress | None = None) -> LoadResult:
    """Load every table from scratch into a new file, then swap it in."""
    with _exclusive():
        return _load("build", progress)


def warehouse_refresh(*, progress: Progress | None = None) -> LoadResult:
    """Load what changed since the last load; a missing warehouse is built instead."""
    if not engine.warehouse_file().exists():
        return warehouse_build(progress=progress)
    with _exclusive():
        return _load("refresh", progress)


def _load(kind: str, progress: Progress | None) -> LoadResult:
    started = time.perf_counter()
    status.write_running(kind, 0, len(schema.TABLES))
    source = None
    try:
        job = Job(kind=kind, as_of=timezone.localdate(), members=segments.dynamic_members())
        source = engine.source_for_load()
        if source.live:
            from . import child

            result = child.load_in_child(job, source, progress)
        else:
            result = load_steps(job, source, progress)
        # The whole load: the copy or the child's start included (``outside``: the
        # seconds outside the DuckDB part, segments and the child's start).
        whole = time.perf_counter() - started
        result.timings["outside"] = round(whole - result.seconds, 3)
        result.seconds = whole
        _after(result)
    except Exception as exc:
        status.write_failed(kind, str(exc))
        raise
    finally:
        if source is not None:
            engine.source_release(source)
    return result


def load_steps(job: Job, source: engine.Source, progress: Progress | None) -> LoadResult:
    """The DuckDB part of a load: attach the source, load every table and the marts.

    A build writes a new file and swaps it in; a refresh changes the file in place, the
    tables in one transaction and the marts in the next."""
    result = LoadResult(kind=job.kind)
    started = time.perf_counter()
    if job.kind == "refresh":
        con = engine.connect()
        try:
            con.execute(META)
            with engine.source_attached(con, source):
                # Two transactions: the tables (with the customers they changed, kept in
                # the file), then the marts over committed tables. DuckDB scans rows a
                # transaction has not committed yet far slower (the activity mart over
                # 10M interactions: 18 s inside against 7.7 s after, at 1M). No other
                # process opens the file while this connection holds it, so no reader
                # sees the tables without their marts; a refresh stopped between the two
                # leaves the noted customers to the next one (``marts.Changes``).
                con.execute("BEGIN")
                with _phase(result, "tables"):
                    changes = _run_steps(con, job, result, progress, full=False)
                with _phase(result, "commit"):
                    con.execute("COMMIT")
                con.execute("BEGIN")
                _run_marts(con, result, progress, changes)
                if changes is not None:
                    changes.clear()
                with _phase(result, "marts_commit"):
                    con.execute("COMMIT")
            _finish(con, result, started)
        finally:
            con.close()
        return result
    target = engine.warehouse_file()
    fresh = target.with_name(target.name + ".new")
    fresh.unlink(missing_ok=True)
    try:
        con = engine.connect(path=fresh)
        try:
            con.execute(META)
            with engine.source_attached(con, source):
                with _phase(result, "tables"):
                    _run_steps(con, job, result, progress, full=True)
                _run_marts(con, result, progress, None)
            _finish(con, result, started)
        finally:
            con.close()
        os.replace(fresh, target)
        fresh.with_name(fresh.name + ".wal").unlink(missing_ok=True)
    except BaseException:
        fresh.unlink(missing_ok=True)
        raise
    return result


@contextlib.contextmanager
def _phase(result: LoadResult, name: str) -> Iterator[None]:
    """Wall seconds (``timings``) and CPU seconds (``cpu``) of one phase of the load."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    result.timings[name] = round(time.perf_counter() - wall, 3)
    result.cpu[name] = round(time.process_time() - cpu, 3)


def _run_steps(
    con, job: Job, result: LoadResult, progress: Progress | None, *, full: bool
) -> "marts.Changes | None":
    """Every table's step; returns the customers a refresh changed (``None`` on a build)."""
    total = len(schema.TABLES) + 1
    # The phase's seconds outside the tables' own steps, apart: the deletion log's read
    # and the noted customers' tables (``tables_start``), the status file and progress
    # between the steps (``tables_status``), the log's mark and ``keep`` (``tables_end``).
    with _phase(result, "tables_start"):
        log = DeletionLog.read(con, full=full)
        result.deletion_prune = log.prune_upto
        # The customers this refresh changes, for the marts rebuilt per customer.
        changes = None if full else marts.Changes(con, compared=marts.KEYED_INPUTS)
        present = {} if full else main_columns(con)
    steps = _Steps(result, progress, total)
    if full:
        _build_lanes(con, job, result, log, steps)
    else:
        for table in schema.TABLES:
            steps.started(table)
            _step(con, table, job, result, log, changes, present, full=False)
    result.timings["tables_status"] = round(steps.between, 3)
    with _phase(result, "tables_end"):
        log.save()
        if changes is not None:
            changes.keep()
    return changes


class _Steps:
    """The status file and progress as the table steps start (from either lane of a
    build), and the seconds they take."""

    def __init__(self, result: LoadResult, progress: Progress | None, total: int):
        self.result, self.progress, self.total = result, progress, total
        self.done = 0
        self.between = 0.0
        self._lock = threading.Lock()

    def started(self, table: Table) -> None:
        with self._lock:
            mark = time.perf_counter()
            status.write_running(self.result.kind, self.done, self.total, table.name)
            if self.progress:
                self.progress(table.name, self.done, self.total)
            self.done += 1
            self.between += time.perf_counter() - mark


def _step(con, table: Table, job: Job, result: LoadResult, log, changes, present, *, full):
    """One table's step: created (a build: keyless, the key added after the rows),
    loaded, its figures in ``result``. Seconds are the step's own; CPU seconds are the
    process's (on a build's two lanes, the other lane's CPU meanwhile too)."""
    step_started, step_cpu = time.perf_counter(), time.process_time()
    # A refresh of a file built before a table joined the schema creates it; with no
    # watermark yet, it is loaded whole.
    if not full and columns_follow(con, table, present.get(table.name, [])):
        result.rebuilt.append(table.name)
    key = _create_table(con, table, full=full)
    if changes is not None:
        changes.before(table, mark=watermark(con, table), rebuilt=table.name in result.rebuilt)
    changed, deleted = load_table(
        con,
        table,
        job,
        full=full,
        log=log,
        same=result.same,
        narrowed=result.narrowed,
        changes=changes,
    )
    if changes is not None:
        changes.after(table)
    add_primary_key(con, table.name, key)
    result.changed[table.name] = changed
    if deleted:
        result.deleted[table.name] = deleted
    if not full and table.deletion_log and log.usable(table):
        result.source_rows[table.name] = changed + log.entries(table)
    result.timings[table.name] = round(time.perf_counter() - step_started, 3)
    result.cpu[table.name] = round(time.process_time() - step_cpu, 3)


def _build_lanes(con, job: Job, result: LoadResult, log, steps: _Steps) -> None:
    """A build's table steps on ``WAREHOUSE_LOAD_LANES`` connections at once, the tables
    with the most source rows first. The scanner reads a large table on DuckDB's threads,
    but a small one, a key's index and the writes to the file on one: with one lane the
    second core idled for a third of a build. The tables are independent on a build (each
    reads only the source) and each lane commits its own; a build writes a new file that
    no one reads before it is complete, so a failure in either lane fails the build."""
    lanes = max(1, min(settings.WAREHOUSE_LOAD_LANES, len(schema.TABLES)))
    if lanes == 1:  # the schema's order, no source asked for sizes
        for table in schema.TABLES:
            steps.started(table)
            _step(con, table, job, result, log, None, {}, full=True)
        return
    queue = list(reversed(_largest_first(con, schema.TABLES)))
    taken = threading.Lock()
    failures: list[BaseException] = []

    def lane(cursor) -> None:
        try:
            while not failures:
                with taken:
                    if not queue:
                        return
                    table = queue.pop()
                steps.started(table)
                _step(cursor, table, job, result, log, None, {}, full=True)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller
            failures.append(exc)
        finally:
            cursor.close()

    threads = [
        threading.Thread(
            target=lane, args=(engine.session(con.cursor()),), name=f"warehouse-lane-{n}"
        )
        for n in range(lanes)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def _largest_first(con, tables: tuple[Table, ...]) -> list[Table]:
    """``tables`` by their source's highest id, largest first (an estimate of the rows
    to read, from the primary key's index, not a count); the others keep their order."""
    size = {t.name: pushdown.source_max_id(con, t.source) if t.source else 0 for t in tables}
    return sorted(tables, key=lambda t: -size[t.name])


def _create_table(con, table: Table, *, full: bool) -> str | None:
    """Create ``table`` (a refresh: if missing). A build creates it without its primary
    key and returns the key column, added once the rows are in (``add_primary_key``)."""
    if not full:
        con.execute(f"CREATE TABLE IF NOT EXISTS {table.name} ({table.columns})")
        return None
    columns, key = without_primary_key(table.columns)
    con.execute(f"CREATE TABLE {table.name} ({columns})")
    return key


def add_primary_key(con, name: str, key: str | None) -> None:
    """The primary key a build left out while loading ``name``: the same table as one
    created with it (a refresh finds the key it expects), its index built in one pass."""
    if key is not None:
        con.execute(f"ALTER TABLE {name} ADD PRIMARY KEY ({key})")


def _run_marts(con, result: LoadResult, progress: Progress | None, changes) -> None:
    total = len(schema.TABLES) + 1
    status.write_running(result.kind, total - 1, total, "marts")
    if progress:
        progress("marts", total - 1, total)
    with _phase(result, "marts"):
        marts.marts_build(
            con,
            scores=score_columns.scores_columns(con),
            score_table=f"src.{settings.WAREHOUSE_SCORE_TABLE}",
            changes=changes,
            timings=result.timings,
            per_customer=result.marts_per_customer,
            cpu=result.cpu,
        )


def _finish(con, result: LoadResult, started: float) -> None:
    result.rows = {
        name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        for name in parquet.table_names()
    }
    result.seconds = time.perf_counter() - started
    con.execute(
        "INSERT INTO wh_run SELECT COALESCE(max(run_id), 0) + 1, ?, ?, ?, ?, ?, ? FROM wh_run",
        [
            result.kind,
            datetime.now(UTC).replace(tzinfo=None),
            datetime.now(UTC).replace(tzinfo=None),
            result.seconds,
            sum(result.changed.values()),
            sum(result.deleted.values()),
        ],
    )
    with _phase(result, "checkpoint"):
        con.execute("CHECKPOINT")


def _after(result: LoadResult) -> None:
    """Parquet copy (kept in step, so an erased customer leaves it too), the deletion
    log's entries the previous load had read pruned, and status."""
    if result.deletion_prune is not None:
        from panorama.analytics.models import DeletedRow

        DeletedRow._default_manager.filter(id__lte=result.deletion_prune).delete()
    exported = False
    if settings.WAREHOUSE_PARQUET or parquet.exists():
        parquet.export_all(unchanged=unchanged_tables(result))
        exported = True
    status.write_done(result, parquet=exported)


def unchanged_tables(result: LoadResult) -> frozenset[str]:
    """The star's tables a refresh neither changed nor deleted a row of (rows read again
    identical count as unchanged): their Parquet file stays as it was. Never after a
    build; the marts and the scores are (re)built on every load and always exported."""
    if result.kind != "refresh":
        return frozenset()
    return frozenset(
        t.name
        for t in schema.TABLES
        if t.name in result.changed
        and t.name not in result.rebuilt
        and (not result.changed[t.name] or t.name in result.same)
        and not result.deleted.get(t.name)
    )


def load_summary(result: LoadResult) -> str:
    return json.dumps(
        {
            "kind": result.kind,
            "seconds": round(result.seconds, 3),
            "changed": result.changed,
            "deleted": result.deleted,
            "source_rows": result.source_rows,
            "timings": result.timings,
            "cpu": result.cpu,
            "narrowed": result.narrowed,
            "marts_per_customer": result.marts_per_customer,
            "rows": result.rows,
        },
        indent=2,
    )
