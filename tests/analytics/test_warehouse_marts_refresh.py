"""A refresh rebuilds the per-customer marts only for the customers it changed, and
every mart it leaves equals, row for row, the mart a full build makes of the same data."""

import datetime
import shutil
from decimal import Decimal

import duckdb
import pytest

from panorama.analytics.models import CustomerScore
from panorama.analytics.warehouse import engine, load, marts
from panorama.customers.models import Customer, Holding
from panorama.sales.models import Order, Quote
from panorama.service.models import Case
from tests.analytics.conftest import order_make
from tests.factories import (
    BillingIncidentFactory,
    CustomerFactory,
    HoldingFactory,
    InteractionFactory,
)

KEYED = {m.name for m in marts.MARTS if m.keyed}


def differences(built, refreshed) -> dict[str, int]:
    """Per mart, the rows one file has and the other has not (``EXCEPT ALL`` both ways:
    a row twice in one and once in the other counts too)."""
    con = duckdb.connect(str(built), read_only=True)
    try:
        con.execute(f"ATTACH '{refreshed}' AS refreshed (READ_ONLY)")
        return {
            name: con.execute(
                f"SELECT count(*) FROM ((SELECT * FROM main.{name} "  # noqa: S608
                f"EXCEPT ALL SELECT * FROM refreshed.{name}) UNION ALL "
                f"(SELECT * FROM refreshed.{name} EXCEPT ALL SELECT * FROM main.{name}))"
            ).fetchone()[0]
            for name in (*marts.MART_NAMES, marts.SCORE_TABLE)
        }
    finally:
        con.close()


def mart_rows(name: str, customer_id: int) -> list:
    con = engine.connect(read_only=True)
    try:
        return con.execute(
            f"SELECT * FROM {name} WHERE customer_id = ?",  # noqa: S608
            [customer_id],
        ).fetchall()
    finally:
        con.close()


@pytest.fixture
def doomed(shop):
    """A customer with an order, a holding, a quote, a case and an interaction, erased
    after the build; and scores for two customers."""
    customer = CustomerFactory(first_name="Doomed", owner=shop["bruno"], team=shop["pedro"].team)
    order_make(customer, shop["products"][:1], days_ago=3)
    HoldingFactory(customer=customer, product_code="TV", status="active", price=Decimal("9"))
    Quote.objects.create(
        customer=customer,
        owner=customer.owner,
        team=customer.team,
        status="sent",
        total=10,
        currency="EUR",
        valid_until=datetime.date.today() + datetime.timedelta(days=30),
    )
    InteractionFactory(customer=customer, channel="email")
    CustomerScore.objects.create(customer=shop["laura"], churn_risk=0.2, rfm_segment="champions")
    CustomerScore.objects.create(customer=shop["pedro"], churn_risk=0.7, rfm_segment="at_risk")
    return customer


def test_refreshed_marts_equal_a_full_build_after_every_kind_of_change(shop, doomed, tmp_path):
    laura, pedro, marta = shop["laura"], shop["pedro"], shop["marta"]
    load.warehouse_build()
    untouched = mart_rows("mart_finance_profitability", laura.pk)

    order_make(marta, shop["products"][1:2], days_ago=1)  # a new order
    holding = Holding.objects.get(customer=laura, product_code="FIBRE")
    holding.status = "ended"  # a changed holding
    holding.save()
    Order.objects.filter(customer=pedro, status="delivered").delete()  # a deleted order
    Customer.objects.filter(pk=doomed.pk).delete()  # an erased customer
    marta.owner, marta.team = shop["bruno"], pedro.team  # changed customer attributes
    marta.save()
    quote = Quote.objects.get(customer=pedro)
    quote.status = "accepted"
    quote.save()
    case = Case.objects.get(customer=pedro, status="open")
    case.status = "resolved"
    case.save()
    BillingIncidentFactory(customer=laura, amount=Decimal("12.00"), status="open")
    InteractionFactory(customer=pedro, channel="phone")
    CustomerScore.objects.filter(customer=pedro).update(churn_risk=0.9)

    result = load.warehouse_refresh()
    # The per-customer marts took only the changed customers; the others were rebuilt.
    assert set(result.marts_per_customer) == KEYED
    assert {"mart_finance_profitability", "mart_commercial_results"} <= set(result.timings)
    assert mart_rows("mart_finance_profitability", doomed.pk) == []
    assert mart_rows("mart_finance_profitability", marta.pk)[0][1] == shop["bruno"].pk
    refreshed = tmp_path / "refreshed.duckdb"
    shutil.copy(engine.warehouse_file(), refreshed)

    load.warehouse_build()

    assert differences(engine.warehouse_file(), refreshed) == dict.fromkeys(
        (*marts.MART_NAMES, marts.SCORE_TABLE), 0
    )
    # Laura changed (holding, incident) and her row moved; the refresh did not keep it.
    assert mart_rows("mart_finance_profitability", laura.pk) != untouched


def test_a_refresh_without_changes_leaves_the_marts_as_built(shop, doomed, tmp_path):
    load.warehouse_build()
    built = tmp_path / "built.duckdb"
    shutil.copy(engine.warehouse_file(), built)

    result = load.warehouse_refresh()

    assert set(result.marts_per_customer) == KEYED
    assert differences(built, engine.warehouse_file()) == dict.fromkeys(
        (*marts.MART_NAMES, marts.SCORE_TABLE), 0
    )


def test_a_merge_that_relinks_rows_rebuilds_the_marts_reading_them_whole(shop):
    """A relink moves rows to another customer without saying whose they were: the
    marts reading that table are rebuilt whole (and still equal a build)."""
    load.warehouse_build()
    con = engine.connect()
    try:
        # As a merge leaves it: the purchase table's rows point elsewhere in the source.
        changes = marts.Changes(con)
        changes.whole.add("fact_purchase")
        assert not marts.refresh.per_customer(
            next(m for m in marts.MARTS if m.name == "mart_finance_profitability"),
            changes,
            new_day=False,
        )
        assert marts.refresh.per_customer(
            next(m for m in marts.MARTS if m.name == "mart_salesadmin_offers"),
            changes,
            new_day=False,
        )
        # A new day moves every row of the dated mart.
        assert not marts.refresh.per_customer(
            next(m for m in marts.MARTS if m.name == "mart_marketing_priority"),
            marts.Changes(con),
            new_day=True,
        )
    finally:
        con.close()
