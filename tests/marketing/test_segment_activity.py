"""Segment conditions on the customer's activity in the other apps (opportunities, cases,
orders, web visits, holdings about to end): who is in and who is out, counted in one
query that equals the list, accepted by the API (422 naming a bad value) and drawn by
the visual builder with its live count."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from panorama.automation.models import TrackedSite, WebEvent
from panorama.marketing import selectors
from panorama.marketing.models import Segment
from panorama.sales.models import Opportunity, Order
from panorama.service.models import Case
from tests.factories import CustomerFactory, HoldingFactory, pipeline_with_stages

pytestmark = pytest.mark.django_db
NOW = timezone.now


def _opportunity(customer, pipeline, status=Opportunity.Status.OPEN):
    stage = pipeline.stages.get(name="Qualify" if status == "open" else "Won")
    return Opportunity.objects.create(
        customer=customer,
        pipeline=pipeline,
        stage=stage,
        name="Deal",
        status=status,
        currency="EUR",
        stage_entered_at=NOW(),
    )


def _order(customer, total, *, days_ago=0, status=Order.Status.CONFIRMED):
    order = Order.objects.create(customer=customer, status=status, currency="EUR", total=total)
    Order.objects.filter(pk=order.pk).update(created_at=NOW() - datetime.timedelta(days=days_ago))
    return order


def _case(customer, status=Case.Status.OPEN, type=Case.Type.COMPLAINT):
    return Case.objects.create(
        customer=customer, subject="Broken card", channel="phone", status=status, type=type
    )


def _visit(customer, url, days_ago):
    site = TrackedSite.objects.first() or TrackedSite.objects.create(
        name="Web", origins="https://www.bank.example"
    )
    return WebEvent.objects.create(
        site=site,
        cookie_id=f"c{customer.pk}",
        customer=customer,
        name="page_view",
        url=url,
        at=NOW() - datetime.timedelta(days=days_ago),
    )


def _members(rule) -> set[str]:
    """The names the segment lists, after checking its count is the list's length."""
    rules = {"op": "and", "rules": [rule]}
    names = set(
        selectors.segment_customers(user=None, rules=rules).values_list("display_name", flat=True)
    )
    assert selectors.segment_count(user=None, rules=rules) == len(names)
    return names


@pytest.fixture
def people(db):
    return {n: CustomerFactory(display_name=n) for n in ("ana", "bea", "carlos", "dora")}


def test_open_opportunity_in_a_pipeline(people):
    mortgages, cards = pipeline_with_stages("Mortgages"), pipeline_with_stages("Cards")
    _opportunity(people["ana"], mortgages)
    _opportunity(people["bea"], cards)
    _opportunity(people["carlos"], mortgages, status=Opportunity.Status.WON)

    in_mortgages = {"field": "opportunity", "op": "has", "value": mortgages.pk}
    assert _members(in_mortgages) == {"ana"}
    assert _members({"field": "opportunity", "op": "has", "value": "any"}) == {"ana", "bea"}
    assert _members({**in_mortgages, "op": "has_not"}) == {"bea", "carlos", "dora"}


def test_open_case_by_type(people):
    _case(people["ana"])
    _case(people["bea"], type=Case.Type.QUESTION)
    _case(people["carlos"], status=Case.Status.CLOSED)

    assert _members({"field": "case", "op": "has", "value": "any"}) == {"ana", "bea"}
    assert _members({"field": "case", "op": "has", "value": "complaint"}) == {"ana"}
    assert _members({"field": "case", "op": "has_not", "value": "any"}) == {"carlos", "dora"}


def test_ordered_in_the_last_days_counts_only_purchases(people):
    _order(people["ana"], 50, days_ago=5)
    _order(people["bea"], 50, days_ago=60)
    _order(people["carlos"], 50, days_ago=1, status=Order.Status.CANCELLED)
    _order(people["dora"], 50, days_ago=1, status=Order.Status.DRAFT)

    assert _members({"field": "ordered", "op": "within_days", "value": 30}) == {"ana"}
    assert _members({"field": "ordered", "op": "not_within_days", "value": 30}) == {
        "bea",
        "carlos",
        "dora",
    }


def test_total_ordered_adds_a_customers_orders_once(people):
    _order(people["ana"], Decimal("600"), days_ago=200)
    _order(people["ana"], Decimal("500"), days_ago=3)
    _order(people["bea"], Decimal("999.99"), days_ago=3)
    _order(people["carlos"], Decimal("5000"), status=Order.Status.CANCELLED)

    at_least = {"field": "order_total", "op": "gte", "value": "1000"}
    assert _members(at_least) == {"ana"}
    # Less than: those who never bought are in (their total is nothing).
    assert _members({**at_least, "op": "lt"}) == {"bea", "carlos", "dora"}
    assert _members({**at_least, "days": 30}) == set()
    assert _members({**at_least, "value": "900", "days": 30}) == {"bea"}


def test_visited_a_page_in_the_last_days(people):
    _visit(people["ana"], "https://www.bank.example/hipotecas/simulador", 2)
    _visit(people["bea"], "https://www.bank.example/tarjetas", 2)
    _visit(people["carlos"], "https://www.bank.example/HIPOTECAS", 40)

    visited = {"field": "web_visit", "op": "within_days", "value": 7, "url": "hipotecas"}
    assert _members(visited) == {"ana"}
    assert _members({**visited, "value": 60}) == {"ana", "carlos"}
    assert _members({"field": "web_visit", "op": "within_days", "value": 7}) == {"ana", "bea"}
    assert _members({**visited, "op": "not_within_days"}) == {"bea", "carlos", "dora"}


def test_a_product_held_ends_within_days(people):
    today = timezone.localdate()
    start = datetime.date(2020, 1, 1)
    HoldingFactory(
        customer=people["ana"],
        product_code="DEP-12",
        start_date=start,
        end_date=today + datetime.timedelta(days=10),
    )
    HoldingFactory(
        customer=people["bea"],
        product_code="DEP-12",
        start_date=start,
        end_date=today + datetime.timedelta(days=90),
    )
    HoldingFactory(
        customer=people["carlos"],
        product_code="LOAN",
        start_date=start,
        end_date=today + datetime.timedelta(days=5),
    )
    HoldingFactory(
        customer=people["dora"],
        product_code="DEP-12",
        start_date=start,
        end_date=today - datetime.timedelta(days=1),  # already over
    )

    ends = {"field": "holding_ends", "op": "within_next_days", "value": 30}
    assert _members(ends) == {"ana", "carlos"}
    assert _members({**ends, "product": "DEP-12"}) == {"ana"}
    assert _members({**ends, "op": "not_within_next_days"}) == {"bea", "dora"}


def test_the_conditions_combine_in_one_query(people, django_assert_num_queries):
    mortgages = pipeline_with_stages("Mortgages")
    _opportunity(people["ana"], mortgages)
    _order(people["ana"], 20, days_ago=2)
    _case(people["bea"])
    rules = {
        "op": "and",
        "rules": [
            {"field": "opportunity", "op": "has", "value": str(mortgages.pk)},
            {"field": "ordered", "op": "within_days", "value": 10},
            {"op": "not", "rule": {"field": "case", "op": "has", "value": "any"}},
            {"field": "web_visit", "op": "not_within_days", "value": 30, "url": "/baja"},
            {"field": "holding_ends", "op": "not_within_next_days", "value": 30},
            {"field": "order_total", "op": "lt", "value": 100},
        ],
    }
    from panorama.marketing import rules as segment_rules

    catalogue = segment_rules.fields()
    checked = segment_rules.validate(rules, catalogue=catalogue)
    with django_assert_num_queries(1):
        assert (
            selectors.segment_customers(
                user=None, rules=checked, validated=True, catalogue=catalogue
            ).count()
            == 1
        )


@pytest.mark.parametrize(
    ("rule", "path", "named"),
    [
        ({"field": "opportunity", "op": "has", "value": 999999}, "value", "pipeline"),
        ({"field": "case", "op": "has", "value": "grumble"}, "value", "Open case"),
        ({"field": "ordered", "op": "within_days", "value": "lots"}, "value", "Ordered"),
        ({"field": "ordered", "op": "within_days", "value": 0}, "value", "Ordered"),
        ({"field": "order_total", "op": "gte", "value": "-5"}, "value", "Total ordered"),
        ({"field": "order_total", "op": "gte", "value": "10", "days": "x"}, "days", "Total"),
        ({"field": "order_total", "op": "gt", "value": "10"}, "op", "Total ordered"),
        ({"field": "web_visit", "op": "within_days", "value": 7, "url": 3}, "url", "web"),
        ({"field": "web_visit", "op": "within_days", "value": 7, "url": "x" * 201}, "url", "web"),
        ({"field": "holding_ends", "op": "within_days", "value": 7}, "op", "product held"),
    ],
)
def test_the_api_refuses_a_bad_condition_naming_it(api, rule, path, named):
    answer = api.post("/marketing/segments", json={"name": "Bad", "rules": rule})

    assert answer.status_code == 422
    body = answer.json()
    assert path in str(body) and named.lower() in str(body).lower()
    assert not Segment.objects.exists()
    counted = api.post("/marketing/segments/count", json={"rules": rule})
    assert counted.status_code == 422


def test_the_api_saves_and_counts_an_activity_segment(api, people):
    _order(people["ana"], 1500, days_ago=3)
    rules = {"op": "and", "rules": [{"field": "order_total", "op": "gte", "value": 1000}]}

    made = api.post("/marketing/segments", json={"name": "Big buyers", "rules": rules})

    assert made.status_code == 201, made.content
    segment_id = made.json()["id"]
    assert api.get(f"/marketing/segments/{segment_id}/count").json() == {"count": 1}
    assert Segment.objects.get(pk=segment_id).rules["rules"][0]["value"] == "1000"


def test_the_builder_draws_the_activity_fields_with_a_live_count(client, admin_user, people):
    _visit(people["ana"], "https://www.bank.example/hipotecas", 1)
    _visit(people["bea"], "https://www.bank.example/tarjetas", 1)
    client.force_login(admin_user)
    form = {"mode": "builder", "match": "and", "f0": "web_visit", "o0": "within_days", "v0": "7"}

    page = client.post("/marketing/segments/builder/", form).content.decode()
    assert 'name="x0"' in page and "Address contains" in page
    assert "data-segment-count>2<" in page
    narrowed = client.post("/marketing/segments/count/", {**form, "x0": "hipotecas"})
    assert b"data-segment-count>1<" in narrowed.content

    saved = client.post("/marketing/segments/new/", {**form, "x0": "hipotecas", "name": "Hip"})
    assert saved.status_code == 302
    segment = Segment.objects.get(name="Hip")
    assert segment.rules["rules"][0]["url"] == "hipotecas"
    again = client.get(f"/marketing/segments/{segment.pk}/").content.decode()
    assert 'value="hipotecas"' in again and "data-segment-count>1<" in again


def test_the_builder_offers_the_pipelines_and_names_a_bad_value(client, admin_user, people):
    pipeline = pipeline_with_stages("Mortgages")
    client.force_login(admin_user)
    form = {"mode": "builder", "match": "and", "f0": "opportunity", "o0": "has", "v0": ""}

    page = client.post("/marketing/segments/builder/", form).content.decode()
    assert f'<option value="{pipeline.pk}"' in page and "Mortgages" in page
    bad = client.post("/marketing/segments/count/", {**form, "f0": "ordered", "o0": "within_days"})
    assert b"data-segment-count>" not in bad.content and b"Ordered" in bad.content


def test_order_totals_are_converted_to_the_company_currency_at_the_order_day_rate(people):
    """Ana bought 600 EUR + 400 USD, Bea 900 USD: in euros at each order's confirmation
    day rate, Ana passes 900 € and Bea does not (900 USD at 0.90 is 810 €)."""
    from panorama.catalog.models import ExchangeRate

    today = timezone.localdate()
    ExchangeRate.objects.create(
        currency="USD", rate=Decimal("0.5"), valid_from=today - datetime.timedelta(days=400)
    )
    ExchangeRate.objects.create(
        currency="USD", rate=Decimal("0.9"), valid_from=today - datetime.timedelta(days=30)
    )
    _order(people["ana"], Decimal("600"))
    usd = _order(people["ana"], Decimal("400"), days_ago=5)
    usd.currency = "USD"
    usd.confirmed_at = NOW() - datetime.timedelta(days=5)
    usd.save()
    bea = _order(people["bea"], Decimal("900"), days_ago=2)
    bea.currency = "USD"
    bea.confirmed_at = NOW() - datetime.timedelta(days=2)
    bea.save()
    # Carlos's 1500 USD was confirmed a year ago, when a dollar was worth 0.50 €.
    carlos = _order(people["carlos"], Decimal("1500"), days_ago=365)
    carlos.currency = "USD"
    carlos.confirmed_at = NOW() - datetime.timedelta(days=365)
    carlos.save()

    total = {"field": "order_total", "op": "gte", "value": "900"}
    assert _members(total) == {"ana"}  # 600 + 360; Bea 810; Carlos 750
    assert _members({**total, "value": "750"}) == {"ana", "bea", "carlos"}
    assert _members({**total, "value": "751"}) == {"ana", "bea"}
    assert _members({**total, "op": "lt", "value": "800"}) == {"carlos", "dora"}


def test_a_total_with_orders_in_a_currency_without_rate_is_refused_naming_it(api, people):
    order = _order(people["ana"], Decimal("100"))
    order.currency = "GBP"
    order.save()

    answer = api.post(
        "/marketing/segments/count",
        json={"rules": {"field": "order_total", "op": "gte", "value": "50"}},
    )

    assert answer.status_code == 422
    assert "GBP" in str(answer.json())
