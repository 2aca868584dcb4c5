"""Editing and retiring an earning rule: never retroactive (points earned stay, a later
cancellation gives back what was earned then), new values for the orders that earn
afterwards, a retired rule earns nothing and is never deleted; the same checks as at
creation, on every path (service, API, page)."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.loyalty.models import EarningRule, Movement, Programme
from panorama.loyalty.services.programmes import rule_add, rule_edit, rule_set_active
from panorama.sales.services.order import order_transition
from tests.catalog.factories import CategoryFactory, ProductFactory

from .test_services import _deliver, _order

pytestmark = pytest.mark.django_db


@pytest.fixture
def promo(db):
    return ProductFactory(name="Cafetera")


@pytest.fixture
def rule(programme, promo, marketer):
    """+10 points per unit of the Cafetera (an order of one at 121 € earns 131)."""
    return rule_add(
        by=marketer,
        programme=programme,
        kind="product",
        name="Cafetera",
        product_id=promo.pk,
        extra_points=10,
    )


def _earned(order) -> int:
    return Movement.objects.get(order=order, kind="earn").points


def test_an_edit_applies_to_the_orders_that_earn_after_it_only(member, ana, promo, rule, marketer):
    before = _order(ana, promo)
    assert _earned(before) == 121 + 10

    rule_edit(by=marketer, rule=rule, changes={"extra_points": 50})

    after = _order(ana, promo)
    assert _earned(before) == 131  # kept as earned
    assert _earned(after) == 121 + 50
    member.refresh_from_db()
    assert member.balance == 131 + 171
    # Cancelling the earlier order gives back what it earned then, not the new value.
    with transaction.atomic():
        order_transition(by=None, order_id=before.pk, to="cancelled")
    _deliver()
    assert Movement.objects.get(order=before, kind="reverse").points == -131
    member.refresh_from_db()
    assert member.balance == 171


def test_a_retired_rule_earns_nothing_and_is_kept(member, ana, promo, rule, marketer):
    rule_set_active(by=marketer, rule=rule, active=False)

    order = _order(ana, promo)

    assert _earned(order) == 121  # the base points only
    assert EarningRule.objects.get(pk=rule.pk).active is False


def test_an_edit_can_change_the_kind_and_what_the_old_kind_used_is_cleared(
    member, ana, rule, marketer
):
    cocina = CategoryFactory(name="Cocina")
    edited = rule_edit(
        by=marketer,
        rule=rule,
        changes={"kind": "category", "category_id": cocina.pk, "name": "Cocina"},
    )
    assert (edited.kind, edited.product_id, edited.category_id) == ("category", None, cocina.pk)
    assert edited.extra_points == 10  # kept: not named in the changes
    _order(ana, ProductFactory(category=cocina), quantity=2)
    assert Movement.objects.get(kind="earn").points == 242 + 20


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"extra_points": 0}, "extra_points"),
        ({"product_id": None}, "product_id"),
        ({"kind": "campaign", "multiplier": 2}, "starts_on"),
        ({"name": "  "}, "name"),
        ({"kind": "lottery"}, "kind"),
        ({"programme_id": 7}, "programme_id"),
    ],
)
def test_bad_values_are_refused_naming_the_field_and_nothing_changes(
    rule, marketer, changes, field
):
    with pytest.raises(ValidationFailed) as refused:
        rule_edit(by=marketer, rule=rule, changes=changes)
    assert refused.value.field == field and str(refused.value.message)
    rule.refresh_from_db()
    assert (rule.kind, rule.name, rule.extra_points) == ("product", "Cafetera", 10)


def test_a_campaign_edited_to_end_before_it_starts_is_refused_as_at_creation(programme, marketer):
    day = datetime.date(2026, 12, 1)
    campaign = rule_add(
        by=marketer,
        programme=programme,
        kind="campaign",
        name="Navidad",
        multiplier=2,
        starts_on=day,
        ends_on=day + datetime.timedelta(days=30),
    )
    with pytest.raises(ValidationFailed) as refused:
        rule_edit(by=marketer, rule=campaign, changes={"ends_on": day - datetime.timedelta(1)})
    assert refused.value.field == "ends_on"
    with pytest.raises(ValidationFailed) as low:
        rule_edit(by=marketer, rule=campaign, changes={"multiplier": "1"})
    assert low.value.field == "multiplier"


def test_only_those_who_create_rules_edit_or_retire_them(rule, rep):
    with pytest.raises(PermissionDenied):
        rule_edit(by=rep, rule=rule, changes={"extra_points": 99})
    with pytest.raises(PermissionDenied):
        rule_set_active(by=rep, rule=rule, active=False)
    rule.refresh_from_db()
    assert rule.extra_points == 10 and rule.active


# --- API --------------------------------------------------------------------------------


def _url(rule, suffix=""):
    return f"/loyalty/programmes/{rule.programme_id}/rules/{rule.pk}{suffix}"


def test_the_api_patches_a_rule_and_retires_it(api_as, marketer, rule):
    client = api_as(marketer)
    patched = client.patch(_url(rule), json={"extra_points": 25, "name": "Cafetera+"})
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert (body["extra_points"], body["name"], body["product_id"]) == (
        25,
        "Cafetera+",
        rule.product_id,
    )
    retired = client.post(_url(rule, "/retire"))
    assert retired.status_code == 200 and retired.json()["active"] is False
    again = client.post(_url(rule, "/retire"))
    assert again.status_code == 200 and again.json()["active"] is False
    detail = client.get(f"/loyalty/programmes/{rule.programme_id}").json()
    assert [(r["name"], r["active"]) for r in detail["rules"]] == [("Cafetera+", False)]
    back = client.post(_url(rule, "/reinstate"))
    assert back.status_code == 200 and back.json()["active"] is True
    detail = client.get(f"/loyalty/programmes/{rule.programme_id}").json()
    assert [(r["name"], r["active"]) for r in detail["rules"]] == [("Cafetera+", True)]


def test_the_api_refuses_bad_values_other_roles_and_unknown_rules_with_a_message(
    api_as, marketer, rep, rule
):
    client = api_as(marketer)
    bad = client.patch(_url(rule), json={"extra_points": 0})
    assert bad.status_code == 422 and bad.json()["errors"]["extra_points"]
    no_product = client.patch(_url(rule), json={"product_id": 99999})
    assert no_product.status_code == 422 and no_product.json()["errors"]["product_id"]
    for denied in (
        api_as(rep).patch(_url(rule), json={"extra_points": 99}),
        api_as(rep).post(_url(rule, "/retire")),
        api_as(rep).post(_url(rule, "/reinstate")),
    ):
        assert denied.status_code == 403
        assert "marketing" in denied.json()["detail"]
    other = rule_add(
        by=marketer,
        programme=Programme.objects.create(name="Otro"),
        kind="product",
        name="X",
        product_id=rule.product_id,
        extra_points=1,
    )
    crossed = client.patch(
        f"/loyalty/programmes/{rule.programme_id}/rules/{other.pk}", json={"name": "Y"}
    )
    assert crossed.status_code == 404 and crossed.json()["detail"]
    rule.refresh_from_db()
    assert (rule.extra_points, rule.active) == (10, True)


# --- pages ------------------------------------------------------------------------------


def _form(rule, **values):
    data = {
        "kind": rule.kind,
        "name": rule.name,
        "product": rule.product_id or "",
        "category": rule.category_id or "",
        "extra_points": rule.extra_points,
        "multiplier": "1",
        "starts_on": "",
        "ends_on": "",
        "segment": "",
    } | values
    return {f"rule-{rule.pk}-{k}": v for k, v in data.items()}


def test_a_marketer_edits_and_retires_a_rule_from_the_programme_page(client, marketer, rule):
    client.force_login(marketer)
    page_url = reverse("loyalty:programme_detail", args=[rule.programme_id])
    page = client.get(page_url).content.decode()
    assert f'id="rule-{rule.pk}-form"' in page and "Yes, retire the rule" in page

    bad = client.post(
        reverse("loyalty:rule_edit", args=[rule.programme_id, rule.pk]),
        _form(rule, extra_points="0"),
    )
    assert bad.status_code == 422
    assert "Give a whole number from 1" in bad.content.decode()
    saved = client.post(
        reverse("loyalty:rule_edit", args=[rule.programme_id, rule.pk]),
        _form(rule, extra_points="30"),
        follow=True,
    )
    assert "Rule saved" in saved.content.decode()
    rule.refresh_from_db()
    assert rule.extra_points == 30

    active_url = reverse("loyalty:rule_active", args=[rule.programme_id, rule.pk])
    client.post(active_url, {"active": "0"})
    client.post(active_url, {"active": "0"})  # a second click changes nothing
    rule.refresh_from_db()
    assert rule.active is False
    page = client.get(page_url).content.decode()
    assert "Retired" in page and "Put back in force" in page


def test_a_rep_sees_the_rules_without_the_forms_and_cannot_post_them(client, rep, rule):
    client.force_login(rep)
    page = client.get(reverse("loyalty:programme_detail", args=[rule.programme_id]))
    assert "Cafetera" in page.content.decode() and "rule-form" not in page.content.decode()
    url = reverse("loyalty:rule_edit", args=[rule.programme_id, rule.pk])
    assert client.post(url, _form(rule, extra_points="99")).status_code == 403
    url = reverse("loyalty:rule_active", args=[rule.programme_id, rule.pk])
    assert client.post(url, {"active": "0"}).status_code == 403
    rule.refresh_from_db()
    assert (rule.extra_points, rule.active) == (10, True)


def test_the_programme_page_costs_the_same_queries_with_one_rule_or_many(
    client, marketer, programme, rule
):
    client.force_login(marketer)
    url = reverse("loyalty:programme_detail", args=[programme.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(5):
        rule_add(
            by=marketer,
            programme=programme,
            kind="category",
            name=f"Categoría {n}",
            category_id=CategoryFactory().pk,
            extra_points=n + 1,
        )
    with CaptureQueriesContext(connection) as six:
        page = client.get(url)
    assert page.content.decode().count('action="/loyalty/') >= 6 * 2
    assert len(six) == len(one)
