"""A refresh has the source database find the changed rows by index (``pushdown.py``):
the warehouse it leaves is the one a full build gives, column types included (SQLite
here; PostgreSQL with ``DATABASE_URL`` set to it)."""

from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from panorama.analytics.warehouse import engine, load, schema
from panorama.customers.models import Holding
from panorama.sales.models import Opportunity, Order, OrderLine, Quote, StageChange
from panorama.service.models import Case, CaseSurvey
from tests.factories import InteractionFactory

# Read by a refresh through SQLite's own query; the others are read whole.
NARROWED = {
    "dim_customer",
    "fact_interaction",
    "fact_order",
    "fact_order_line",
    "fact_quote",
    "fact_opportunity",
    "fact_stage_change",
    "fact_case",
    "fact_holding",
}


def snapshot() -> dict[str, tuple[list, list]]:
    """Every star table's column types and rows; the customer dimension's current
    versions only (a refresh keeps history a build does not have)."""
    con = engine.connect(read_only=True)
    try:
        out = {}
        for table in schema.TABLES:
            query = f"SELECT * FROM {table.name}"  # noqa: S608 - our own names
            if table.name == "dim_customer":
                query = (
                    "SELECT * EXCLUDE (customer_key, valid_from) FROM dim_customer WHERE is_current"
                )
            types = [(r[0], r[1]) for r in con.execute(f"DESCRIBE {query}").fetchall()]
            out[table.name] = (types, con.execute(f"{query} ORDER BY ALL").fetchall())
        return out
    finally:
        con.close()


def changes_make(shop) -> None:
    """One change in every table a refresh narrows, each through its own path."""
    pedro, laura = shop["pedro"], shop["laura"]
    pedro.status = "inactive"
    pedro.save()
    order = Order.objects.filter(customer=laura).order_by("id").first()
    line = order.lines.first()
    OrderLine.objects.create(
        order=order,
        product=line.product,
        sku=line.sku,
        quantity=Decimal("3"),
        unit_price=Decimal("12.07"),
        net=Decimal("36.21"),
        tax=Decimal("7.60"),
        total=Decimal("43.81"),
    )
    order.total = Decimal("1234567890.07")
    order.save()
    quote = Quote.objects.order_by("id").first()
    quote.status = "accepted"
    quote.save()
    opportunity = Opportunity.objects.order_by("id").first()
    opportunity.amount = Decimal("9999.99")
    opportunity.save()
    last = StageChange.objects.filter(opportunity=opportunity).order_by("-id").first()
    StageChange.objects.create(
        opportunity=opportunity,
        from_stage=last.to_stage,
        to_stage=last.to_stage,
        by=shop["ana"],
        at=timezone.now(),
        seconds_in_previous=60,
    )
    # A case changes by its own edit, and by its satisfaction answer alone.
    Case.objects.filter(customer=pedro).update(status="waiting", updated_at=timezone.now())
    CaseSurvey.objects.update(score=F("score") + 1, answered_at=timezone.now())
    holding = Holding.objects.get(customer=laura)
    holding.price = Decimal("41.35")
    holding.save()
    InteractionFactory(customer=laura, channel="email")


def test_a_refresh_read_by_index_gives_the_tables_a_build_gives(shop):
    load.warehouse_build()
    changes_make(shop)

    refresh = load.warehouse_refresh()
    refreshed = snapshot()
    load.warehouse_build()
    built = snapshot()

    assert set(refresh.narrowed) == NARROWED
    assert refresh.changed["fact_interaction"] == 1
    assert refresh.changed["fact_stage_change"] == 1
    # Both cases: one edited, the other through its satisfaction answer only.
    assert refresh.changed["fact_case"] == 2
    for name, (types, rows) in built.items():
        assert refreshed[name][0] == types, name
        assert refreshed[name][1] == rows, name
    order_totals = [r for r in built["fact_order"][1] if r[9] == Decimal("1234567890.07")]
    assert len(order_totals) == 1


def test_without_pushdown_the_same_refresh_reads_every_row(shop, settings):
    settings.WAREHOUSE_PUSHDOWN = False
    load.warehouse_build()
    changes_make(shop)

    refresh = load.warehouse_refresh()

    assert refresh.narrowed == []
    assert refresh.changed["fact_case"] == 2
    assert refresh.changed["fact_interaction"] == 1
