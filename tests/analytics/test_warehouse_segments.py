"""Segment membership in the warehouse: a static list's current members and a dynamic
segment's matches (evaluated by the marketing segment compiler, one query per segment)
in ``fact_segment_membership``, as of the load; a customer who no longer matches is gone
after the next load; the marketing mart and the report builder slice by segment, each
user within his scope."""

import datetime

import pytest
from django.utils import timezone

from panorama.analytics.reports import selectors as reports
from panorama.analytics.warehouse import engine, load
from panorama.analytics.warehouse.selectors import scope
from panorama.customers.models import Customer
from panorama.marketing.models import ListMembership, Segment, StaticList


def rows(sql, params=None):
    con = engine.connect(read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def members(segment_key):
    return {
        customer_id
        for (customer_id,) in rows(
            "SELECT customer_id FROM fact_segment_membership WHERE segment_key = ?",
            [segment_key],
        )
    }


@pytest.fixture
def segments(shop):
    """A static list VIP (Laura and Pedro in it, Marta left it) and a dynamic segment of
    English speakers (Laura and Marta)."""
    now = timezone.now()
    vip = StaticList.objects.create(name="VIP")
    for customer in (shop["laura"], shop["pedro"]):
        ListMembership.objects.create(static_list=vip, customer=customer, joined_at=now)
    ListMembership.objects.create(
        static_list=vip,
        customer=shop["marta"],
        joined_at=now - datetime.timedelta(days=9),
        left_at=now - datetime.timedelta(days=2),
    )
    Customer.objects.filter(pk__in=[shop["laura"].pk, shop["marta"].pk]).update(language="en")
    Customer.objects.filter(pk=shop["pedro"].pk).update(language="es")
    english = Segment.objects.create(
        name="English speakers", rules={"field": "language", "op": "eq", "value": "en"}
    )
    return {"vip": vip, "english": english}


def test_static_and_dynamic_members_as_of_the_load(shop, segments):
    vip, english = segments["vip"], segments["english"]
    load.warehouse_build()
    assert members(f"static:{vip.pk}") == {shop["laura"].pk, shop["pedro"].pk}
    assert members(f"dynamic:{english.pk}") == {shop["laura"].pk, shop["marta"].pk}
    assert sorted(rows("SELECT segment_key, name, kind FROM dim_segment")) == sorted(
        [(f"static:{vip.pk}", "VIP", "static"), (f"dynamic:{english.pk}", english.name, "dynamic")]
    )
    # Each row names the customer's current version and the day of the load.
    [(key_ok, as_of)] = rows(
        """SELECT bool_and(d.is_current AND d.customer_id = m.customer_id), max(m.as_of)
           FROM fact_segment_membership m JOIN dim_customer d USING (customer_key)"""
    )
    assert key_ok and as_of == timezone.localdate()


def test_a_customer_leaving_a_dynamic_segment_is_gone_after_the_next_load(shop, segments):
    english = segments["english"]
    load.warehouse_build()
    assert shop["marta"].pk in members(f"dynamic:{english.pk}")
    marta = Customer.objects.get(pk=shop["marta"].pk)
    marta.language = "es"
    marta.save()
    ListMembership.objects.filter(customer=shop["pedro"]).update(left_at=timezone.now())
    load.warehouse_refresh()
    assert members(f"dynamic:{english.pk}") == {shop["laura"].pk}
    assert members(f"static:{segments['vip'].pk}") == {shop["laura"].pk}


def test_a_segment_whose_rule_no_longer_validates_is_left_out(shop, segments):
    Segment.objects.filter(pk=segments["english"].pk).update(
        rules={"field": "custom.gone", "op": "eq", "value": "x"}
    )
    load.warehouse_build()
    assert members(f"dynamic:{segments['english'].pk}") == set()
    assert members(f"static:{segments['vip'].pk}") == {shop["laura"].pk, shop["pedro"].pk}


def test_the_report_builder_slices_by_segment_within_the_readers_scope(shop, segments):
    load.warehouse_build()
    definition = {
        "source": "mart_marketing_segments",
        "dimensions": ["segment"],
        "measures": [
            {"column": "customers", "agg": "sum"},
            {"column": "revenue", "agg": "sum"},
        ],
    }
    everyone = reports.report_run(user=shop["analyst"], definition=definition)
    # Laura's sold orders 55 + 255, Pedro's 200, Marta's 55.
    assert [(r[0], int(r[1]), float(r[2])) for r in everyone.rows] == [
        ("English speakers", 2, 365.0),
        ("VIP", 2, 510.0),
    ]
    # The mart carries the customer's owner and team: Ana's scope keeps Laura and Marta.
    where, params = scope(shop["ana"])
    mine = rows(
        "SELECT segment, SUM(customers), SUM(revenue) FROM mart_marketing_segments "
        f"WHERE {where} GROUP BY 1 ORDER BY 1",
        params,
    )
    assert [(r[0], int(r[1]), float(r[2])) for r in mine] == [
        ("English speakers", 2, 365.0),
        ("VIP", 1, 310.0),
    ]
