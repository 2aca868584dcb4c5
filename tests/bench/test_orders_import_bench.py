"""The bench's order history import figures, on a small file: the first import creates
every order and customer, the second finds them all; both keys go to the JSON."""

import pytest

from panorama.analytics.models import Purchase, PurchaseImport
from panorama.bench import orders_import as bench_orders_import
from panorama.bench.parts import JSON_KEYS, PARTS

pytestmark = pytest.mark.django_db


def test_the_first_import_and_the_rerun_are_measured(admin_user):
    said: list[str] = []
    out = bench_orders_import.measure_all(said.append, rows=600, runs=1)
    assert set(out) == {
        "orders_import_rows_per_s",
        "orders_import_rerun_rows_per_s",
        "orders_import_cpu_rows_per_s",
    }
    assert min(out.values()) > 0
    first, again = PurchaseImport.objects.order_by("pk")
    assert first.rows == again.rows == 600
    assert first.rejected == again.rejected == 3, "1 row in 200 is bad"
    assert {p["field"] for p in first.errors[0]["problems"]} == {"customer_id", "date"}
    assert first.orders_created == Purchase.objects.count() > 100
    assert again.orders_created == 0 and again.orders_unchanged == first.orders_created
    assert "order history import" in said[0]
    assert "orders" in PARTS
    assert set(out) <= set(JSON_KEYS)
    name, value, target = bench_orders_import.report_row(out)
    assert value.startswith(f"{out['orders_import_rows_per_s']:,} rows/s") and "50k" in target
