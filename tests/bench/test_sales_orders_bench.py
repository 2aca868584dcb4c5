"""The bench's sales orders on small data: two order lines per customer, orders that
add up and belong to the customer's rep, the same orders for the same seed, and the
warehouse loads them."""

import datetime

import duckdb
import pytest
from django.db.models import Sum

from panorama.analytics.warehouse import engine, load
from panorama.bench import sales_orders as bench_sales_orders
from panorama.sales.models import Order, OrderLine
from panorama.seeding.sales_orders import seed_orders
from tests.analytics.conftest import wh_settings  # noqa: F401  (fixture)
from tests.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

ANCHOR = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture
def customers():
    team = TeamFactory(name="North")
    rep = UserFactory(username="ana", teams=[team])
    return [CustomerFactory(owner=rep, team=team) for _ in range(30)]


def _orders() -> list[tuple]:
    return list(
        Order.objects.order_by("pk").values_list("customer_id", "status", "total", "created_at")
    )


def test_two_lines_per_customer_in_orders_that_add_up(customers):
    said: list[str] = []
    assert bench_sales_orders.orders_ready(customers=30, seed=1, say=said.append) == 60
    assert any(text.startswith("Seeded ") and " s (" in text for text in said)
    assert OrderLine.objects.count() == 60
    order = Order.objects.filter(lines__position=1).first()
    assert order is not None
    lines = order.lines.aggregate(net=Sum("net"), tax=Sum("tax"))
    assert (order.net, order.tax, order.total) == (
        lines["net"],
        lines["tax"],
        lines["net"] + lines["tax"],
    )
    assert not Order.objects.exclude(owner=customers[0].owner).exists()
    assert set(Order.objects.values_list("status", flat=True)) >= {"delivered", "cancelled"}
    # Asked again: reused, nothing added.
    assert bench_sales_orders.orders_ready(customers=30, seed=1, say=said.append) == 60
    assert said[-1] == "Reusing 60 order lines."


def test_the_same_seed_writes_the_same_orders(customers):
    seed_orders(lines=50, seed=3, anchor=ANCHOR)
    first = _orders()
    Order.objects.all().delete()
    seed_orders(lines=50, seed=3, anchor=ANCHOR)
    assert _orders() == first
    Order.objects.all().delete()
    seed_orders(lines=50, seed=4, anchor=ANCHOR)
    assert _orders() != first


@pytest.mark.django_db(transaction=True)  # the warehouse reads a snapshot of the database
def test_the_warehouse_loads_every_seeded_line(customers, wh_settings):  # noqa: F811
    seeded = seed_orders(lines=45, seed=2)
    load.warehouse_build()
    con = duckdb.connect(str(engine.warehouse_file()), read_only=True)
    assert con.execute("SELECT count(*) FROM fact_order_line").fetchone()[0] == 45
    assert con.execute("SELECT count(*) FROM fact_order").fetchone()[0] == seeded.orders
    con.close()
