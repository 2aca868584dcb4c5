"""Loyalty services: enrolment and cards, the ledger, orders earning once, expiry, tiers."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from panorama.catalog.services.financing import add_months
from panorama.channels.models import Interaction
from panorama.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from panorama.core.outbox import outbox_dispatch
from panorama.customers.selectors import identify
from panorama.loyalty.models import Membership, Movement, Reward
from panorama.loyalty.services.earning import order_points_award
from panorama.loyalty.services.members import (
    card_valid,
    member_enrol,
    movement_post,
    points_adjust,
    points_redeem,
)
from panorama.loyalty.services.programmes import programme_save, rule_add
from panorama.loyalty.services.sweeps import points_expire, tiers_evaluate
from panorama.sales.services.order import order_create, order_transition
from panorama.sales.services.quote import LineData
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.factories import UserFactory


def _deliver():
    while outbox_dispatch():
        pass


def _order(customer, *products, quantity=1):
    """A confirmed order (each product at 100 € + 21 % VAT), its events delivered."""
    products = products or (ProductFactory(),)
    with transaction.atomic():
        order = order_create(
            by=None,
            customer_id=customer.pk,
            lines=[LineData(p.pk, quantity=quantity) for p in products],
        )
        order_transition(by=None, order_id=order.pk, to="confirmed")
    _deliver()
    return order


def _earn(member, points, *, ago_months=0):
    movement = movement_post(membership=member, kind="earn", points=points)
    if ago_months:
        when = timezone.now() - datetime.timedelta(days=int(30.5 * ago_months))
        Movement.objects.filter(pk=movement.pk).update(occurred_at=when)
    member.refresh_from_db()
    return movement


def _balance(member) -> int:
    return Membership.objects.get(pk=member.pk).balance


# --- enrolment and the card ---------------------------------------------------------------


def test_enrolment_issues_a_checked_card_that_identify_finds(programme, ana, rep, emitted):
    with emitted() as events:
        member = member_enrol(by=rep, programme_id=programme.pk, customer_id=ana.pk)

    assert len(member.card_number) == 16 and card_valid(member.card_number)
    assert member.tier.name == "Bronce"  # the tier that starts at 0 points
    note = Interaction.objects.get(customer=ana)
    assert note.subject == f"Joined Club Panorama, card {member.card_number}"
    found = identify(user=rep, value=member.card_number)
    assert [m.customer.pk for m in found] == [ana.pk]
    assert found[0].kind == "loyalty_card"
    # Typed with spaces, as printed on the card.
    spaced = " ".join(member.card_number[i : i + 4] for i in range(0, 16, 4))
    assert [m.customer.pk for m in identify(user=rep, value=spaced)] == [ana.pk]
    assert (
        "loyalty.member_enrolled",
        {
            "membership_id": member.pk,
            "programme_id": programme.pk,
            "customer_id": ana.pk,
            "card_number": member.card_number,
            "by": rep.pk,
        },
    ) in events


def test_one_membership_per_programme_and_a_wrong_check_digit_is_seen(member, programme, ana):
    with pytest.raises(Conflict, match="already a member"):
        member_enrol(by=None, programme_id=programme.pk, customer_id=ana.pk)
    assert Membership.objects.count() == 1
    wrong = member.card_number[:-1] + str((int(member.card_number[-1]) + 1) % 10)
    assert not card_valid(wrong)


def test_an_inactive_programme_takes_no_members_and_a_rep_enrols_only_his_customers(programme, ana):
    programme_save(by=None, programme=programme, name=programme.name, active=False)
    with pytest.raises(ValidationFailed, match="no active loyalty programme"):
        member_enrol(by=None, programme_id=programme.pk, customer_id=ana.pk)
    programme_save(by=None, programme=programme, name=programme.name, active=True)
    stranger = UserFactory(username="otro", role="sales_rep")
    from panorama.core.exceptions import NotFound

    with pytest.raises(NotFound):
        member_enrol(by=stranger, programme_id=programme.pk, customer_id=ana.pk)
    analyst = UserFactory(username="analista", role="analyst")
    with pytest.raises(PermissionDenied):
        member_enrol(by=analyst, programme_id=programme.pk, customer_id=ana.pk)
    assert not Membership.objects.exists()


# --- redeeming and adjusting --------------------------------------------------------------


def test_redeeming_spends_points_and_stock(member, rep, emitted):
    _earn(member, 150)
    taza = Reward.objects.get(name="Taza")
    with emitted() as events:
        movement = points_redeem(by=rep, membership_id=member.pk, reward_id=taza.pk)

    assert (movement.kind, movement.points, movement.balance_after) == ("redeem", -100, 50)
    assert _balance(member) == 50
    assert Reward.objects.get(pk=taza.pk).stock == 0
    assert [name for name, _p in events] == ["loyalty.points_moved", "interaction.recorded"]
    assert events[0][1]["reward_id"] == taza.pk
    note = Interaction.objects.get(customer=member.customer, related_id=movement.pk)
    assert note.subject == "Redeemed Taza for 100 puntos" and note.agent == rep


def test_redeeming_more_than_the_balance_is_refused_and_nothing_moves(member, rep):
    _earn(member, 80)
    cheque = Reward.objects.get(name="Cheque 10 €")
    with pytest.raises(ValidationFailed) as refused:
        points_redeem(by=rep, membership_id=member.pk, reward_id=cheque.pk)
    assert "Not enough puntos: the balance is 80, 500 are needed." in str(refused.value.message)
    assert _balance(member) == 80
    assert Movement.objects.filter(kind="redeem").count() == 0


def test_a_stale_balance_cannot_overspend(member, rep):
    """Two redemptions at once: the second one's copy of the member still says 150 but the
    conditional UPDATE reads the row, so it is refused."""
    _earn(member, 150)
    stale = Membership.objects.get(pk=member.pk)
    movement_post(membership=member, kind="redeem", points=-100)
    with pytest.raises(ValidationFailed):
        movement_post(membership=stale, kind="redeem", points=-100)
    assert _balance(member) == 50


def test_out_of_stock_gives_the_points_back(member, rep):
    _earn(member, 300)
    taza = Reward.objects.get(name="Taza")
    points_redeem(by=rep, membership_id=member.pk, reward_id=taza.pk)
    with pytest.raises(Conflict, match="out of stock"):
        points_redeem(by=rep, membership_id=member.pk, reward_id=taza.pk)
    assert _balance(member) == 200
    assert Movement.objects.filter(kind="redeem").count() == 1


def test_adjusting_needs_a_reason_and_the_permission(member, rep, marketer):
    with pytest.raises(PermissionDenied):
        points_adjust(by=rep, membership_id=member.pk, points=50, reason="Compensación")
    with pytest.raises(ValidationFailed, match="Say why"):
        points_adjust(by=marketer, membership_id=member.pk, points=50, reason="  ")
    with pytest.raises(ValidationFailed, match="Not enough"):
        points_adjust(by=marketer, membership_id=member.pk, points=-1, reason="Error")
    movement = points_adjust(by=marketer, membership_id=member.pk, points=50, reason="Retraso")
    assert (movement.kind, movement.points, movement.by, movement.reason) == (
        "adjust",
        50,
        marketer,
        "Retraso",
    )
    assert _balance(member) == 50


# --- orders --------------------------------------------------------------------------------


def test_a_confirmed_order_earns_once_and_a_cancelled_one_gives_back(member, ana):
    order = _order(ana)  # 121 € with VAT

    earned = Movement.objects.get(kind="earn")
    assert (earned.points, earned.order_id) == (121, order.pk)
    # Delivered again (at least once): nothing more.
    assert order_points_award(order_id=order.pk) == []
    assert _balance(member) == 121

    order_transition(by=None, order_id=order.pk, to="cancelled")
    _deliver()
    _deliver()
    reversed_ = Movement.objects.get(kind="reverse")
    assert (reversed_.points, reversed_.order_id) == (-121, order.pk)
    assert _balance(member) == 0
    assert order_points_award(order_id=order.pk) == []  # a cancelled order earns no more


def test_a_draft_order_earns_nothing_and_an_order_of_a_non_member_neither(programme, ana):
    with transaction.atomic():
        product = ProductFactory()
        order_create(by=None, customer_id=ana.pk, lines=[LineData(product.pk)])
    _deliver()
    assert not Movement.objects.exists()


def test_rules_tier_and_campaign_multiply_and_add(member, ana, programme):
    categoria = CategoryFactory(name="Electrónica")
    tele = ProductFactory(category=categoria)
    promo = ProductFactory()
    rule_add(
        by=None,
        programme=programme,
        kind="product",
        name="Promo",
        product_id=promo.pk,
        extra_points=10,
    )
    rule_add(
        by=None,
        programme=programme,
        kind="category",
        name="Electrónica",
        category_id=categoria.pk,
        extra_points=5,
    )
    today = timezone.localdate()
    rule_add(
        by=None,
        programme=programme,
        kind="campaign",
        name="Doble",
        multiplier=2,
        starts_on=today,
        ends_on=today,
    )
    Membership.objects.filter(pk=member.pk).update(tier=programme.tiers.get(name="Plata"))

    _order(ana, tele, promo, quantity=2)  # 2 × 2 × 121 = 484 €

    earned = Movement.objects.get(kind="earn")
    # 484 × 1.5 (Plata) × 2 (campaign) = 1452, + 2 × 10 (product) + 2 × 5 (category)
    assert earned.points == 1452 + 20 + 10


def test_earning_moves_the_member_up_and_the_sweep_moves_him_down(member, ana, programme):
    assert member.tier.name == "Bronce"
    for _n in range(5):
        _order(ana)  # 5 × 121 = 605 points in the period
    member.refresh_from_db()
    assert member.tier.name == "Plata"

    # A year and more later those points left the qualification period.
    Movement.objects.update(occurred_at=timezone.now() - datetime.timedelta(days=400))
    assert tiers_evaluate() == 1
    member.refresh_from_db()
    assert member.tier.name == "Bronce"
    assert tiers_evaluate() == 0  # idempotent


# --- expiry --------------------------------------------------------------------------------


def test_expiry_takes_the_oldest_unspent_points_first(member, rep):
    _earn(member, 100, ago_months=30)  # older than 24 months
    _earn(member, 50, ago_months=1)
    points_redeem(by=rep, membership_id=member.pk, reward_id=Reward.objects.get(name="Taza").pk)
    # 100 old points, 100 spent (FIFO: from the old ones): nothing old is left.
    assert points_expire() == 0
    _earn(member, 70, ago_months=26)
    # Old: 100 + 70; spent 100 → 70 expire; the 50 recent ones stay.
    assert points_expire() == 1
    expired = Movement.objects.get(kind="expire")
    assert expired.points == -70
    assert _balance(member) == 50
    assert points_expire() == 0  # run again: nothing more


def test_a_programme_without_expiry_keeps_points(member, programme):
    programme_save(by=None, programme=programme, name=programme.name, expiry_months=0)
    _earn(member, 100, ago_months=60)
    assert points_expire() == 0
    assert _balance(member) == 100


def test_bad_programme_values_are_refused_with_the_field(programme):
    with pytest.raises(ValidationFailed) as wrong:
        programme_save(by=None, name="X", currency="euros")
    assert wrong.value.field == "currency"
    with pytest.raises(ValidationFailed) as wrong:
        programme_save(by=None, name="X", points_per_unit="-1")
    assert wrong.value.field == "points_per_unit"
    with pytest.raises(Conflict):
        programme_save(by=None, name="Club Panorama")
    with pytest.raises(ValidationFailed) as wrong:
        rule_add(
            by=None,
            programme=programme,
            kind="campaign",
            name="Mal",
            multiplier=3,
            starts_on=datetime.date(2026, 5, 2),
            ends_on=datetime.date(2026, 5, 1),
        )
    assert wrong.value.field == "ends_on"
    assert add_months(datetime.date(2026, 3, 31), -1) == datetime.date(2026, 2, 28)
    assert Decimal(programme.points_per_unit) == 1
