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

KEYED = {m.name for m in marts.MARTS if m.keyed} | {marts.sums.NAME}


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


def customer_with_history(shop, name: str, **fields):
    """A customer of Bruno's with one sold order (so every per-customer mart has a row)."""
    customer = CustomerFactory(
        first_name=name, owner=shop["bruno"], team=shop["pedro"].team, **fields
    )
    order_make(customer, shop["products"][:1], days_ago=3)
    return customer


@pytest.fixture
def many(shop):
    """One customer per kind of change, so that each change is the only thing naming
    its customer: a missed kind leaves that customer's rows stale."""
    out = {
        name: customer_with_history(shop, name)
        for name in ("doomed", "moved", "quoted", "served", "billed", "called", "scored")
    }
    doomed = out["doomed"]
    HoldingFactory(customer=doomed, product_code="TV", status="active", price=Decimal("9"))
    InteractionFactory(customer=doomed, channel="email")
    for name in ("doomed", "quoted"):
        Quote.objects.create(
            customer=out[name],
            owner=out[name].owner,
            team=out[name].team,
            status="sent",
            total=10,
            currency="EUR",
            valid_until=datetime.date.today() + datetime.timedelta(days=30),
        )
    Case.objects.create(customer=out["served"], subject="Help", channel="email", status="open")
    CustomerScore.objects.create(customer=out["scored"], churn_risk=0.2, rfm_segment="champions")
    CustomerScore.objects.create(customer=shop["laura"], churn_risk=0.7, rfm_segment="at_risk")
    return out


def test_refreshed_marts_equal_a_full_build_after_every_kind_of_change(shop, many, tmp_path):
    laura, pedro, marta = shop["laura"], shop["pedro"], shop["marta"]
    load.warehouse_build()
    untouched = mart_rows("mart_finance_profitability", laura.pk)

    order_make(marta, shop["products"][1:2], days_ago=1)  # a new order
    holding = Holding.objects.get(customer=laura, product_code="FIBRE")
    holding.status = "ended"  # a changed holding
    holding.save()
    Order.objects.filter(customer=pedro, status="delivered").delete()  # a deleted order
    Customer.objects.filter(pk=many["doomed"].pk).delete()  # an erased customer
    moved = many["moved"]
    moved.owner, moved.team = shop["ana"], laura.team  # changed customer attributes
    moved.save()
    quote = Quote.objects.get(customer=many["quoted"])
    quote.status = "accepted"
    quote.save()
    case = Case.objects.get(customer=many["served"])
    case.status = "resolved"
    case.save()
    BillingIncidentFactory(customer=many["billed"], amount=Decimal("12.00"), status="open")
    InteractionFactory(customer=many["called"], channel="phone")
    CustomerScore.objects.filter(customer=many["scored"]).update(churn_risk=0.9)

    result = load.warehouse_refresh()
    # The per-customer marts took only the changed customers; the others were rebuilt.
    assert set(result.marts_per_customer) == KEYED
    assert {"mart_finance_profitability", "mart_commercial_results"} <= set(result.timings)
    assert mart_rows("mart_finance_profitability", many["doomed"].pk) == []
    assert mart_rows("mart_finance_profitability", moved.pk)[0][1] == shop["ana"].pk
    refreshed = tmp_path / "refreshed.duckdb"
    shutil.copy(engine.warehouse_file(), refreshed)

    load.warehouse_build()

    assert differences(engine.warehouse_file(), refreshed) == dict.fromkeys(
        (*marts.MART_NAMES, marts.SCORE_TABLE), 0
    )
    # Laura's holding ended: her row moved, the refresh did not keep the old one.
    assert mart_rows("mart_finance_profitability", laura.pk) != untouched


def test_a_refresh_without_changes_leaves_the_marts_as_built(shop, many, tmp_path):
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
