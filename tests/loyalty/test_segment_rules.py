"""Earning rules restricted to a marketing segment: only the members in the segment when
the order earns get the bonus; a segment that does not exist, or that the author may not
use, is refused with a message on every path (service, page, API)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from panorama.accounts import permissions
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.loyalty.models import EarningRule, Movement
from panorama.loyalty.services.earning import _rules
from panorama.loyalty.services.members import member_enrol
from panorama.loyalty.services.programmes import rule_add
from panorama.marketing.services.segments import segment_delete, segment_save
from tests.factories import CustomerFactory, HoldingFactory

from .test_services import _order

pytestmark = pytest.mark.django_db

WITH_CARD = {"field": "holding", "op": "has", "value": "CARD-CR"}


@pytest.fixture
def cardholders(marketer):
    return segment_save(by=marketer, name="Con tarjeta", rules=WITH_CARD)


def _double(programme, by, segment_id):
    today = timezone.localdate()
    return rule_add(
        by=by,
        programme=programme,
        kind="campaign",
        name="Doble puntos con tarjeta",
        multiplier=2,
        starts_on=today,
        ends_on=today,
        segment_id=segment_id,
    )


def test_only_members_in_the_segment_when_they_buy_earn_the_bonus(
    programme, member, ana, marketer, cardholders, team
):
    rule = _double(programme, marketer, cardholders.pk)
    assert rule.segment == cardholders
    luis = CustomerFactory(first_name="Luis", last_name="Pérez", team=team)
    member_enrol(by=None, programme_id=programme.pk, customer_id=luis.pk)
    HoldingFactory(customer=ana, product_code="CARD-CR", product_name="Tarjeta", category="T")

    _order(ana)  # 121 €, in the segment: × 2
    _order(luis)  # 121 €, not in it: the base points only

    earned = dict(
        Movement.objects.filter(kind="earn").values_list("membership__customer", "points")
    )
    assert earned == {ana.pk: 242, luis.pk: 121}
    # Luis gets a card later: from then on he earns the bonus too (read at each order).
    HoldingFactory(customer=luis, product_code="CARD-CR", product_name="Tarjeta", category="T")
    _order(luis)
    latest = Movement.objects.filter(membership__customer=luis, kind="earn").order_by("pk").last()
    assert latest.points == 242


def test_the_segment_is_checked_for_the_one_customer_in_a_bounded_number_of_queries(
    programme, ana, marketer, cardholders
):
    _double(programme, marketer, cardholders.pk)
    without = segment_save(by=marketer, name="Sin tarjeta", rules={**WITH_CARD, "op": "has_not"})
    rule_add(
        by=marketer,
        programme=programme,
        kind="campaign",
        name="Triple sin tarjeta",
        multiplier=3,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        segment_id=without.pk,
    )
    for _n in range(30):  # the segment's size does not matter: Ana alone is evaluated
        HoldingFactory(customer=CustomerFactory(), product_code="CARD-CR", category="T")
    with CaptureQueriesContext(connection) as queries:
        rules = _rules(programme.pk, timezone.localdate(), ana.pk)
    # The rules (with their segments), the custom fields, one row for Ana.
    assert len(queries) == 3
    assert [r.name for r in rules] == ["Triple sin tarjeta"]


def test_a_segment_that_does_not_exist_or_that_the_author_may_not_use_is_refused(
    programme, marketer, cardholders, monkeypatch
):
    with pytest.raises(ValidationFailed) as missing:
        _double(programme, marketer, 999_999)
    assert missing.value.field == "segment_id"
    assert str(missing.value.message) == "There is no segment 999999."
    # A deployment where this author may not build (nor target) segments.
    refused = permissions.Action(
        "marketing.build_segments",
        rule=lambda user, obj=None: False,
        message=permissions._action("marketing.build_segments").message,
    )
    monkeypatch.setitem(permissions._actions, "marketing.build_segments", refused)
    with pytest.raises(PermissionDenied, match="restrict a rule to a segment"):
        _double(programme, marketer, cardholders.pk)
    assert not EarningRule.objects.exists()


def test_a_segment_a_rule_uses_cannot_be_deleted(programme, marketer, cardholders):
    _double(programme, marketer, cardholders.pk)
    with pytest.raises(ValidationFailed, match="used by a loyalty rule"):
        segment_delete(by=marketer, segment=cardholders)
    assert EarningRule.objects.get().segment == cardholders


def test_the_api_takes_the_segment_and_answers_422_for_an_unknown_one(
    api_as, marketer, programme, cardholders
):
    client = api_as(marketer)
    url = f"/loyalty/programmes/{programme.pk}/rules"
    body = {
        "kind": "campaign",
        "name": "Doble con tarjeta",
        "multiplier": "2",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-31",
    }
    created = client.post(url, json={**body, "segment_id": cardholders.pk})
    assert created.status_code == 201, created.content
    assert created.json()["segment_id"] == cardholders.pk
    detail = client.get(f"/loyalty/programmes/{programme.pk}").json()
    assert [r["segment_id"] for r in detail["rules"]] == [cardholders.pk]
    wrong = client.post(url, json={**body, "segment_id": 424242})
    assert wrong.status_code == 422
    assert wrong.json()["errors"]["segment_id"] == ["There is no segment 424242."]
    assert EarningRule.objects.count() == 1


def test_the_rule_form_offers_the_segments_and_the_page_names_it(
    client, marketer, programme, cardholders
):
    client.force_login(marketer)
    page = client.get(reverse("loyalty:programme_detail", args=[programme.pk]))
    assert "Con tarjeta" in page.content.decode() and 'name="rule-segment"' in page.content.decode()
    added = client.post(
        reverse("loyalty:rule_add", args=[programme.pk]),
        {
            "rule-kind": "campaign",
            "rule-name": "Doble con tarjeta",
            "rule-multiplier": "2",
            "rule-starts_on": "2026-12-01",
            "rule-ends_on": "2026-12-31",
            "rule-segment": str(cardholders.pk),
        },
    )
    assert added.status_code == 302
    assert EarningRule.objects.get().segment == cardholders
    detail = client.get(reverse("loyalty:programme_detail", args=[programme.pk])).content.decode()
    assert "Segment: Con tarjeta" in detail
    # A segment deleted meanwhile (or a forged id) is an error on the form, nothing added.
    wrong = client.post(
        reverse("loyalty:rule_add", args=[programme.pk]),
        {
            "rule-kind": "campaign",
            "rule-name": "Otra",
            "rule-multiplier": "2",
            "rule-starts_on": "2026-12-01",
            "rule-ends_on": "2026-12-31",
            "rule-segment": "999999",
        },
    )
    assert wrong.status_code == 422 and EarningRule.objects.count() == 1
    assert EarningRule.objects.get().starts_on == datetime.date(2026, 12, 1)
