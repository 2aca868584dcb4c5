"""The warehouse build and refresh, read back from the DuckDB file."""

import datetime

import duckdb
import pytest
from django.utils import timezone

from panorama.analytics.warehouse import engine, load, schema, status, table_load
from panorama.sales.models import Order
from panorama.service.models import Case
from tests.factories import CustomerFactory, InteractionFactory


def rows(sql, params=None):
    con = engine.connect(read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_the_build_loads_every_fact_of_the_star(shop):
    result = load.warehouse_build()
    assert result.rows["dim_customer"] == 3
    assert result.rows["fact_order"] == 5
    assert result.rows["fact_order_line"] == 9
    assert result.rows["fact_interaction"] == 6
    assert result.rows["fact_opportunity"] == 3
    assert result.rows["fact_stage_change"] == 3
    assert result.rows["fact_case"] == 2
    assert result.rows["fact_quote"] == 2
    assert result.rows["fact_holding"] == 1
    assert result.rows["fact_billing_incident"] == 1
    laura = shop["laura"]
    # Laura's revenue: two delivered orders (55 + 255), nothing cancelled or draft.
    assert rows(
        "SELECT revenue, orders FROM mart_finance_profitability WHERE customer_id = ?",
        [laura.pk],
    ) == [(310, 2)]
    assert rows("SELECT csat_score FROM fact_case WHERE csat_score IS NOT NULL") == [(4,)]
    assert status.read()["state"] == "done"
    assert (engine.parquet_dir() / "fact_order.parquet").exists()


def test_a_build_adds_each_tables_primary_key_after_its_rows(shop):
    # The build loads its tables without their keys and adds them afterwards: the file
    # must end up with the same keys as tables created with them (the refresh relies on
    # the rows being unique by key).
    load.warehouse_build()
    keys = dict(
        rows(
            "SELECT table_name, constraint_column_names[1] FROM duckdb_constraints() "
            "WHERE constraint_type = 'PRIMARY KEY' AND schema_name = 'main'"
        )
    )
    for table in schema.TABLES:
        declared = [
            part.split()[0] for part in table.columns.split(",") if "PRIMARY KEY" in part.upper()
        ]
        assert keys.get(table.name) == (declared[0] if declared else None), table.name
    con = engine.connect()
    try:
        row = con.execute("SELECT * FROM fact_interaction LIMIT 1").fetchone()
        with pytest.raises(duckdb.ConstraintException):
            con.execute(f"INSERT INTO fact_interaction VALUES ({', '.join('?' * len(row))})", row)
    finally:
        con.close()


def test_a_refresh_loads_only_what_changed_and_keeps_customer_history(shop):
    load.warehouse_build()
    pedro = shop["pedro"]
    newcomer = CustomerFactory(first_name="Nuevo", owner=shop["ana"], team=pedro.team)
    InteractionFactory(customer=newcomer)
    order = Order.objects.filter(customer=pedro, status="cancelled").get()
    order.status = "confirmed"
    order.save()
    pedro.status = "inactive"
    pedro.save()

    result = load.warehouse_refresh()

    assert result.changed["fact_interaction"] == 1
    # The edited order and its line (and the rows at the edge of the mark), not all.
    assert result.changed["fact_order"] <= 2 < result.rows["fact_order"]
    assert result.changed["fact_order_line"] < result.rows["fact_order_line"]
    versions = rows(
        "SELECT status, is_current, valid_to < TIMESTAMP '9999-01-01' FROM dim_customer "
        "WHERE customer_id = ? ORDER BY valid_from",
        [pedro.pk],
    )
    assert versions == [("active", False, True), ("inactive", True, False)]
    assert rows("SELECT status FROM fact_order WHERE order_id = ?", [order.pk]) == [("confirmed",)]
    assert rows("SELECT count(*) FROM dim_customer WHERE is_current") == [(4,)]


def _file_rows() -> dict[str, list]:
    """Every table's rows, sorted (``customer_key`` and the run log left out: a key is
    taken from a sequence, a run is a run)."""
    con = engine.connect(read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                "AND table_name <> 'wh_run' ORDER BY 1"
            ).fetchall()
        ]
        found = {}
        for name in names:
            columns = [
                r[0] for r in con.execute(f"DESCRIBE {name}").fetchall() if r[0] != "customer_key"
            ]
            found[name] = sorted(
                con.execute(f"SELECT {', '.join(columns)} FROM {name}").fetchall(), key=repr
            )
        return found
    finally:
        con.close()


def test_a_build_on_two_lanes_holds_what_one_lane_builds(shop, settings):
    # A case whose first answer is due in half an hour is not late. Each lane is a
    # connection of its own: without its session's UTC, the time zone Django sets
    # (Madrid, an hour ahead) made "now" an hour later and flagged it breached.
    Case.objects.create(
        customer=shop["laura"],
        subject="Due soon",
        channel="email",
        status="open",
        first_response_due=timezone.now() + datetime.timedelta(minutes=30),
        resolution_due=timezone.now() + datetime.timedelta(hours=8),
    )
    settings.TIME_ZONE = "Europe/Madrid"
    settings.WAREHOUSE_LOAD_LANES = 1
    load.warehouse_build()
    one = _file_rows()
    settings.WAREHOUSE_LOAD_LANES = 2
    result = load.warehouse_build()
    assert _file_rows() == one
    assert set(result.changed) == {t.name for t in schema.TABLES}
    latest = "SELECT response_breached FROM fact_case ORDER BY case_id DESC LIMIT 1"
    assert rows(latest) == [(False,)]


def test_a_lane_that_fails_fails_the_build_and_keeps_the_file_before(shop, settings, monkeypatch):
    settings.WAREHOUSE_LOAD_LANES = 2
    load.warehouse_build()
    before = _file_rows()
    real = table_load.load_table

    def broken(con, table, *args, **kwargs):
        if table.name == "fact_case":
            raise duckdb.IOException("disk full")
        return real(con, table, *args, **kwargs)

    monkeypatch.setattr(load, "load_table", broken)
    InteractionFactory(customer=shop["laura"])
    with pytest.raises(duckdb.IOException, match="disk full"):
        load.warehouse_build()
    assert _file_rows() == before
    assert status.read()["state"] == "failed"
    assert not engine.warehouse_file().with_name(engine.warehouse_file().name + ".new").exists()
