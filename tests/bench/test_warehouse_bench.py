"""The bench's warehouse figures are written (small data)."""

import duckdb

from panorama.analytics.warehouse import engine
from panorama.bench import warehouse as bench_warehouse
from tests.analytics.conftest import shop, wh_settings  # noqa: F401  (fixtures)


def test_the_warehouse_figures(shop, monkeypatch):  # noqa: F811
    monkeypatch.setattr(bench_warehouse, "WIDGET_RUNS", 2)
    out = bench_warehouse.measure_all(lambda text: None)
    assert out["warehouse_build_s"] > 0
    assert out["warehouse_refresh_s"] > 0
    assert out["dashboard_widget_p95_ms"] > 0
    # The 1% of changes reached the warehouse: interactions were added, not rewritten.
    con = duckdb.connect(str(engine.warehouse_file()), read_only=True)
    assert con.execute("SELECT count(*) FROM fact_interaction").fetchone()[0] >= 6
    con.close()


def _state():
    from django.db import connection

    with connection.cursor() as cursor:
        out = {}
        for table in ("customers_customer", "sales_order", "sales_opportunity", "service_case"):
            status = ", status" if table == "customers_customer" else ""
            cursor.execute(f"SELECT id, updated_at{status} FROM {table} ORDER BY id")  # noqa: S608
            out[table] = cursor.fetchall()
        cursor.execute("SELECT count(*), max(id) FROM channels_interaction")
        out["interactions"] = cursor.fetchone()
    return out


def test_a_rerun_measures_the_same_data(shop, monkeypatch):  # noqa: F811
    from panorama.analytics.models import DeletedRow
    from panorama.channels.models import Interaction
    from tests.factories import InteractionFactory

    monkeypatch.setattr(bench_warehouse, "WIDGET_RUNS", 1)
    monkeypatch.setattr(bench_warehouse, "CHANGE_PERCENT", 50)  # every second row
    before = _state()
    bench_warehouse.measure_all(lambda text: None)
    # The 1% of changes (statuses, edits, extra interactions) are put back afterwards.
    assert _state() == before
    # The ids given back leave the deletion log too: else the next run's refresh would
    # delete the interactions that take them again.
    assert not DeletedRow.objects.filter(
        table_name="channels_interaction", row_id__gt=before["interactions"][1]
    ).exists()
    # A run that stopped after the changes: the next one puts them back first.
    bench_warehouse.changes_make(50)
    changed = _state()
    assert changed != before
    assert changed["interactions"][0] > before["interactions"][0]
    bench_warehouse.measure_all(lambda text: None)
    assert _state() == before
    # The interactions' ids are given back: the next one takes the id it took before.
    assert InteractionFactory(customer=shop["laura"]).pk == before["interactions"][1] + 1
    assert Interaction.objects.count() == before["interactions"][0] + 1
