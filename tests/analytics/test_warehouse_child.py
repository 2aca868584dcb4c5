"""A load on a SQLite file runs its DuckDB part in a child process that alone opens the
file (the scanner's SQLite library beside Django's once reset the WAL index under
Django's connection: SIGBUS)."""

import os
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings

from panorama.analytics.warehouse import engine, load, schema, status
from panorama.channels.models import Interaction
from panorama.core.exceptions import Conflict

# A child process reads a SQLite file; on PostgreSQL the load reads over its own
# connections (tests/analytics/test_warehouse_load.py covers both).
pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="the warehouse's child process reads a SQLite file",
)


def rows(sql, params=None):
    con = engine.connect(read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def mapped(path: Path) -> bool:
    """Whether this process maps the file or its WAL index (Linux)."""
    maps = Path("/proc/self/maps")
    return maps.exists() and str(path) in maps.read_text()


@pytest.fixture
def live_file(shop, monkeypatch):
    """The test database as a file that the loads read as the live database (tests run
    in memory, which a child cannot open)."""
    copy = engine._sqlite_snapshot()
    monkeypatch.setattr(engine, "sqlite_live_file", lambda: copy)
    yield copy
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)


def test_a_build_and_a_refresh_read_the_live_file_in_a_child_process(shop, live_file):
    steps = []
    result = load.warehouse_build(progress=lambda step, done, total: steps.append(step))

    # What the in-process build of test_warehouse_load loads, and the child's progress.
    assert result.rows["dim_customer"] == 3
    assert result.rows["fact_order_line"] == 9
    assert result.rows["fact_interaction"] == 6
    # Every table's step (a build's lanes take them largest first), then the marts.
    assert sorted(steps[:-1]) == sorted(t.name for t in schema.TABLES) and steps[-1] == "marts"
    assert status.read()["state"] == "done"
    assert live_file.exists()  # the live file is never removed as a copy would be
    assert not mapped(live_file)  # this process never opened it through the scanner
    # Something written to the file after the build (by another writer) is read by the
    # refresh.
    pedro = shop["pedro"]
    before = rows("SELECT count(*) FROM fact_interaction WHERE customer_id = ?", [pedro.pk])[0][0]
    columns = [f.column for f in Interaction._meta.concrete_fields if not f.primary_key]
    names = ", ".join(columns)
    picked = ", ".join("?" if c == "customer_id" else c for c in columns)
    writer = sqlite3.connect(live_file)
    with writer:
        writer.execute(
            f"INSERT INTO channels_interaction ({names}) SELECT {picked} "  # noqa: S608
            "FROM channels_interaction LIMIT 1",
            [pedro.pk],
        )
    writer.close()

    result = load.warehouse_refresh()

    assert result.changed["fact_interaction"] == 1
    after = rows("SELECT count(*) FROM fact_interaction WHERE customer_id = ?", [pedro.pk])[0][0]
    assert after == before + 1


def test_the_live_file_is_never_attached_beside_djangos_connection(live_file):
    source = engine.Source("sqlite", str(live_file), live=True)
    con = engine.connect()
    try:
        with pytest.raises(RuntimeError), engine.source_attached(con, source):
            pass
    finally:
        con.close()


def test_a_busy_warehouse_in_the_child_is_a_conflict(shop, live_file, settings):
    load.warehouse_build()
    settings.WAREHOUSE_BUSY_SECONDS = 0.2
    holder = engine.connect()  # this process holds the file: the child cannot write it
    try:
        with pytest.raises(Conflict):
            load.warehouse_refresh()
    finally:
        holder.close()
    assert status.read()["state"] == "failed"
    assert os.path.exists(engine.warehouse_file())
