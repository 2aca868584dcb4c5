"""Segments: rules over customer data compiled to one query, scoped, validated with the
faulty field named; static lists with their membership history; the ficha's panel."""

import datetime

import pytest
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.customers.models import Consent
from panorama.customers.services.relations import consent_record
from panorama.marketing import selectors
from panorama.marketing.models import ListMembership
from panorama.marketing.services.segments import (
    list_create,
    list_members_change,
    list_snapshot,
    segment_save,
)
from tests.factories import (
    BillingIncidentFactory,
    CustomerFactory,
    CustomFieldDefinitionFactory,
    MembershipFactory,
    UserFactory,
)

from .conftest import EXAMPLE_RULES, person

pytestmark = pytest.mark.django_db


def names(user, rules):
    return sorted(c.display_name for c in selectors.segment_customers(user=user, rules=rules))


def test_the_example_segment_is_one_query_and_finds_the_right_customers(
    world, marketer, django_assert_num_queries
):
    # Validation reads the custom field definitions (1), the count is one query (1).
    with django_assert_num_queries(2):
        assert selectors.segment_count(user=marketer, rules=EXAMPLE_RULES) == 4
    assert names(marketer, EXAMPLE_RULES) == ["Ana García", "Eva Mora", "Félix Gil", "Luis Pérez"]


def test_consent_follows_the_newest_decision(world, marketer):
    consenting = {
        "op": "and",
        "rules": [
            *EXAMPLE_RULES["rules"],
            {"field": "consent", "op": "has", "value": "marketing", "channel": "email"},
        ],
    }
    assert names(marketer, consenting) == ["Ana García", "Luis Pérez"]
    consent_record(
        customer=world["ana"], purpose="marketing", channel="email", granted=False, by=None
    )
    assert names(marketer, consenting) == ["Luis Pérez"]
    # A later yes on "any channel" covers e-mail again.
    consent_record(
        customer=world["ana"],
        purpose="marketing",
        channel=Consent.Channel.ANY,
        granted=True,
        by=None,
        at=timezone.now() + datetime.timedelta(seconds=1),
    )
    assert names(marketer, consenting) == ["Ana García", "Luis Pérez"]


def test_or_not_and_other_kinds_of_data(world, marketer):
    CustomFieldDefinitionFactory(key="tier", type="choice", choices=["gold", "silver"])
    world["bea"].custom_fields = {"tier": "gold"}
    world["bea"].save()
    BillingIncidentFactory(customer=world["carlos"])
    MembershipFactory(customer=world["dora"])
    rules = {
        "op": "or",
        "rules": [
            {"field": "custom.tier", "op": "eq", "value": "gold"},
            {"field": "billing_incident", "op": "has", "value": "any"},
            {"field": "group_kind", "op": "has", "value": "family"},
        ],
    }
    assert names(marketer, rules) == ["Bea Sola", "Carlos Ruiz", "Dora Vidal"]
    assert names(marketer, {"op": "not", "rule": rules}) == [
        "Ana García",
        "Eva Mora",
        "Félix Gil",
        "Luis Pérez",
    ]
    english = {"field": "language", "op": "eq", "value": "en"}
    assert names(marketer, english) == ["Luis Pérez"]
    by_phone = {"field": "contacted", "op": "within_days", "value": 60, "channel": "phone"}
    assert names(marketer, by_phone) == ["Carlos Ruiz"]
    no_phone_id = {"field": "identity", "op": "has_not", "value": "phone"}
    assert len(names(marketer, no_phone_id)) == 7


@pytest.mark.parametrize(
    ("rules", "path", "words"),
    [
        ({"field": "shoe_size", "op": "eq", "value": 42}, "rules.field", "shoe_size"),
        (
            {
                "op": "and",
                "rules": [{"field": "contacted", "op": "not_within_days", "value": "lots"}],
            },
            "rules.rules.0.value",
            "Contacted",
        ),
        ({"field": "birth_date", "op": "after", "value": "yesterday"}, "rules.value", "Birth date"),
        ({"field": "status", "op": "eq", "value": "vip"}, "rules.value", "Status"),
        ({"field": "holding", "op": "bigger", "value": "X"}, "rules.op", "Product held"),
        ({"op": "xor", "rules": []}, "rules.op", "xor"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(marketer, rules, path, words):
    with pytest.raises(ValidationFailed) as caught:
        selectors.segment_count(user=marketer, rules=rules)
    assert caught.value.field == path
    assert words in str(caught.value.message)


def test_a_rep_counts_only_his_own_customers(world, team):
    rep = UserFactory(username="pepe", role=Role.SALES_REP, teams=[team])
    world["ana"].owner = rep
    world["ana"].save()
    assert names(rep, EXAMPLE_RULES) == ["Ana García"]


def test_saving_needs_the_permission_and_emits(world, marketer, emitted):
    with emitted() as events:
        segment = segment_save(by=marketer, name="Cuenta sin tarjeta", rules=EXAMPLE_RULES)
    assert events[0][0] == "segment.saved"
    assert segment.rules["rules"][0]["value"] == ["ACC-NOM", "ACC-ONL"]
    analyst = UserFactory(username="ana_lista", role=Role.ANALYST)
    with pytest.raises(PermissionDenied):
        segment_save(by=analyst, name="x", rules=EXAMPLE_RULES)


def test_a_snapshot_keeps_the_membership_history(world, marketer, emitted):
    segment = segment_save(by=marketer, name="Cuenta sin tarjeta", rules=EXAMPLE_RULES)
    with emitted() as events:
        static_list, joined, left = list_snapshot(by=marketer, segment=segment)
    assert (joined, left) == (4, 0)
    assert events == [
        ("list.changed", {"list_id": static_list.pk, "joined": 4, "left": 0, "by": marketer.pk})
    ]
    # Luis gets a card: the next snapshot lets him leave, the row keeps when.
    from tests.factories import HoldingFactory

    HoldingFactory(customer=world["luis"], product_code="CARD-CR", product_name="Tarjeta")
    _l, joined, left = list_snapshot(by=marketer, segment=segment, static_list=static_list)
    assert (joined, left) == (0, 1)
    stay = ListMembership.objects.get(static_list=static_list, customer=world["luis"])
    assert stay.left_at is not None and stay.joined_at <= stay.left_at
    assert selectors.list_get(list_id=static_list.pk).size == 3
    # By hand: Luis comes back (a new stay), Ana goes.
    list_members_change(
        by=marketer, static_list=static_list, add=[world["luis"].pk], remove=[world["ana"].pk]
    )
    assert (
        ListMembership.objects.filter(static_list=static_list, customer=world["luis"]).count() == 2
    )
    history = selectors.list_history(user=marketer, static_list=static_list)
    assert len(history) == 5


def test_a_hand_list_refuses_customers_out_of_sight(world, team):
    manager = UserFactory(username="jefa", role=Role.SALES_MANAGER, managed_teams=[team])
    mine = CustomerFactory(team=team)
    with pytest.raises(ValidationFailed) as caught:
        list_create(by=manager, name="Mi lista", customer_ids=[mine.pk, world["ana"].pk])
    assert str(world["ana"].pk) in str(caught.value.message)
    assert list_create(by=manager, name="Mi lista", customer_ids=[mine.pk]).members.count() == 1


def test_the_ficha_shows_the_segments_and_lists(world, marketer, django_assert_max_num_queries):
    segment_save(by=marketer, name="Cuenta sin tarjeta", rules=EXAMPLE_RULES)
    segment_save(
        by=marketer, name="Con tarjeta", rules={"field": "holding", "op": "has", "value": "CARD-CR"}
    )
    for n in range(5):
        segment_save(
            by=marketer, name=f"Otro {n}", rules={"field": "language", "op": "eq", "value": "fr"}
        )
    # The catalogue, the segments, their flags, the alerts and offers of the one she is
    # in, her lists.
    with django_assert_max_num_queries(6):
        data = selectors.customer_segments(customer=world["ana"], user=marketer)
    assert [s.name for s in data["segments"]] == ["Cuenta sin tarjeta"]


def test_the_360_api_carries_the_panel(world, marketer, api_as):
    segment_save(by=marketer, name="Cuenta sin tarjeta", rules=EXAMPLE_RULES)
    body = api_as(marketer).get(f"/customers/{world['ana'].pk}/360").json()
    panel = next(p for p in body["panels"] if p["key"] == "segments")
    assert [s["name"] for s in panel["data"]["segments"]] == ["Cuenta sin tarjeta"]


def test_a_new_customer_fits_at_once(world, marketer):
    before = selectors.segment_count(user=marketer, rules=EXAMPLE_RULES)
    person("Gema Ortiz")
    assert selectors.segment_count(user=marketer, rules=EXAMPLE_RULES) == before + 1
