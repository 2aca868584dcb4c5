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
