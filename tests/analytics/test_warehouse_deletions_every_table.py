"""Every warehouse table a refresh deletes from reads its deletions from the source's
deletion log (written by triggers), not by reading every source id: customers (every
version of the type 2 dimension), orders and their lines, quotes, opportunities, stage
changes, cases, imported purchases and their lines, web events, loyalty movements."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from panorama.analytics.models import DeletedRow, Purchase, PurchaseLine
from panorama.analytics.warehouse import engine, load, schema, triggers
from panorama.automation.models import TrackedSite, WebEvent
from panorama.loyalty.models import Movement
from panorama.loyalty.services.members import member_enrol, movement_post
from panorama.loyalty.services.programmes import programme_save
from panorama.sales.models import Opportunity, Order, Quote, StageChange
from panorama.service.models import Case
from tests.factories import CustomerFactory


@pytest.fixture(autouse=True)
def empty_log(transactional_db):
    # The flush before a transactional test deletes rows with the triggers on: each test
    # starts with an empty log, so the entries it counts are its own.
    DeletedRow.objects.all().delete()


def rows(sql, params=None):
    con = engine.connect(read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def count(table: str, column: str, ids) -> int:
    ids = list(ids)
    marks = ", ".join("?" * len(ids))
    return rows(f"SELECT count(*) FROM {table} WHERE {column} IN ({marks})", ids)[0][0]  # noqa: S608


@pytest.fixture
def more(shop):
    """Besides the shop: web events, a loyalty ledger and imported purchases."""
    laura, pedro = shop["laura"], shop["pedro"]
    site = TrackedSite.objects.create(name="Web", origins="https://shop.example")
    events = [
        WebEvent.objects.create(
            site=site,
            cookie_id="c1",
            customer=laura,
            name="page_view",
            url="https://shop.example/",
            at=timezone.now(),
        )
        for _ in range(2)
    ]
    programme = programme_save(by=None, name="Club")
    member = member_enrol(by=None, programme_id=programme.pk, customer_id=laura.pk)
    movement_post(membership=member, kind="earn", points=100)
    movement_post(membership=member, kind="earn", points=50)
    purchases = []
    for n, customer in enumerate((laura, pedro, laura)):
        purchase = Purchase.objects.create(
            customer=customer,
            external_id=f"P{n}",
            ordered_on=datetime.date(2025, 1, 1 + n),
            amount=Decimal("30"),
            quantity=Decimal("2"),
        )
        for product in ("Bread", "Milk"):
            PurchaseLine.objects.create(
                purchase=purchase, product=product, quantity=1, amount=Decimal("15")
            )
        purchases.append(purchase)
    return {"events": events, "purchases": purchases}


def test_every_table_a_refresh_deletes_from_has_its_sources_logged():
    for table in schema.TABLES:
        if table.source:
            assert table.deletion_log, table.name
            for source in [table.source] + [s for s, _column in table.deleted_with]:
                assert source in triggers.LOGGED, (table.name, source)


def test_a_row_deleted_from_any_table_leaves_the_warehouse_reading_only_the_log(shop, more):
    laura, pedro = shop["laura"], shop["pedro"]
    erased = CustomerFactory(first_name="Eva", owner=shop["ana"])
    load.warehouse_build()
    erased.status = "inactive"
    erased.save()
    assert load.warehouse_refresh().changed["dim_customer"] == 1
    assert count("dim_customer", "customer_id", [erased.pk]) == 2  # two versions

    # One row (or one cascade) of each table's source, by the ORM and by plain SQL.
    order = Order.objects.filter(customer=pedro).first()  # its one line cascades
    order_lines = list(order.lines.values_list("pk", flat=True))
    big = Order.objects.filter(customer=laura).order_by("-pk").first()
    line = big.lines.order_by("pk").first()
    quote = Quote.objects.get(customer=pedro)
    opportunity = Opportunity.objects.get(customer=pedro)  # its stage change cascades
    pedro_changes = list(
        StageChange.objects.filter(opportunity=opportunity).values_list("pk", flat=True)
    )
    laura_change = StageChange.objects.filter(opportunity__customer=laura).first()
    case = Case.objects.get(customer=pedro)
    event = more["events"][0]
    movement = Movement.objects.order_by("pk").first()
    purchase, lined = more["purchases"][0], more["purchases"][2]
    purchase_lines = list(purchase.lines.values_list("pk", flat=True))
    purchase_line = lined.lines.order_by("pk").first()

    erased.delete()
    order.delete()
    with connection.cursor() as cursor:  # no save, no order touched
        cursor.execute("DELETE FROM sales_orderline WHERE id = %s", [line.pk])
        cursor.execute("DELETE FROM loyalty_movement WHERE id = %s", [movement.pk])
    quote.delete()
    opportunity.delete()
    laura_change.delete()
    case.delete()
    event.delete()
    purchase.delete()
    purchase_line.delete()
    result = load.warehouse_refresh()

    gone = {
        # table: (key column, ids deleted, rows deleted, log entries read)
        "dim_customer": ("customer_id", [erased.pk], 2, 1),
        "fact_order": ("order_id", [order.pk], 1, 1),
        # The lines' own entries and the order's (an order deleted takes its lines).
        "fact_order_line": ("line_id", [*order_lines, line.pk], 2, 3),
        "fact_quote": ("quote_id", [quote.pk], 1, 1),
        "fact_opportunity": ("opportunity_id", [opportunity.pk], 1, 1),
        "fact_stage_change": (
            "stage_change_id",
            [*pedro_changes, laura_change.pk],
            len(pedro_changes) + 1,
            len(pedro_changes) + 1,
        ),
        "fact_case": ("case_id", [case.pk], 1, 1),
        "fact_web_event": ("web_event_id", [event.pk], 1, 1),
        "fact_loyalty_movement": ("movement_id", [movement.pk], 1, 1),
        "fact_purchase": ("purchase_id", [purchase.pk], 1, 1),
        "fact_purchase_line": ("line_id", [*purchase_lines, purchase_line.pk], 3, 4),
    }
    for table, (key, ids, deleted, entries) in gone.items():
        assert count(table, key, ids) == 0, table
        assert result.deleted[table] == deleted, table
        # What the refresh read of the source: the changed rows and the log's entries,
        # never every id of the table.
        assert result.source_rows[table] == result.changed[table] + entries, table
        assert result.rows[table] > 0, table  # the rest stays


def test_a_trigger_missing_for_a_while_makes_the_next_refresh_check_its_tables_whole(shop):
    pedro = shop["pedro"]
    load.warehouse_build()
    with connection.cursor() as cursor:
        on = " ON sales_order" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER analytics_logdel_sales_order{on}")
    order = Order.objects.filter(customer=pedro).first()
    lines = order.lines.count()
    order.delete()  # the order's deletion is not logged; its lines' are

    assert triggers.triggers_ensure() == ["analytics_logdel_sales_order"]
    result = load.warehouse_refresh()

    assert count("fact_order", "order_id", [order.pk]) == 0
    assert result.deleted["fact_order"] == 1
    assert result.deleted["fact_order_line"] == lines
    # Checked whole this time: the orders, and the lines an order deleted takes along.
    assert "fact_order" not in result.source_rows
    assert "fact_order_line" not in result.source_rows
    # The other tables read the log (no entry for quotes: only the changed rows).
    assert result.source_rows["fact_quote"] == result.changed["fact_quote"]
    Order.objects.filter(customer=pedro).first().delete()
    again = load.warehouse_refresh()
    assert again.deleted["fact_order"] == 1
    # The log again: the changed rows and the one entry.
    assert again.source_rows["fact_order"] == again.changed["fact_order"] + 1
