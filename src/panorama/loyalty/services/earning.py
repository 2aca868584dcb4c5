"""Points from orders: a confirmed order earns once in each programme its customer
belongs to (a rule restricted to a marketing segment only if he is in it then); a
cancelled one gives back what it earned (as far as the balance allows: points already
spent stay spent). The outbox delivers ``order.created`` and
``order.status_changed`` to ``handle_event`` at least once; the ledger's unique
(member, order, kind) makes a second delivery do nothing."""

import datetime
import math
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from panorama.marketing.selectors import segments_containing
from panorama.sales.models import Order

from ..models import EarningRule, Membership, Movement
from .members import movement_post, tier_evaluate

SUBSCRIBER = "loyalty.orders"
EVENTS = ["order.created", "order.status_changed"]
EARNING = (Order.Status.CONFIRMED, Order.Status.SHIPPED, Order.Status.DELIVERED)


def order_points(*, order: Order, membership: Membership, rules: list[EarningRule]) -> int:
    """What ``order`` earns a member: its total × the programme's rate × his tier's
    multiplier × the best bonus campaign running that day, plus each product's or
    category's extra points per unit."""
    day = timezone.localdate(order.confirmed_at or timezone.now())  # the site's day, not UTC's
    rate = membership.programme.points_per_unit
    if membership.tier is not None:
        rate *= membership.tier.multiplier
    campaigns = [
        r.multiplier
        for r in rules
        if r.kind == EarningRule.Kind.CAMPAIGN
        and (r.starts_on is None or r.starts_on <= day)
        and (r.ends_on is None or day <= r.ends_on)
    ]
    if campaigns:
        rate *= max(campaigns)
    points = math.floor(order.total * rate)
    for line in order.lines.all():
        for rule in rules:
            if (rule.kind == EarningRule.Kind.PRODUCT and rule.product_id == line.product_id) or (
                rule.kind == EarningRule.Kind.CATEGORY
                and rule.category_id is not None
                and rule.category_id == line.product.category_id
            ):
                points += rule.extra_points * math.floor(line.quantity)
    return max(0, points)


def _rules(programme_id: int, day: datetime.date, customer_id: int) -> list[EarningRule]:
    """The programme's rules running that day for this customer: a rule restricted to a
    segment counts only if he is in it now (one query for him, never the segment's
    whole membership)."""
    rules = list(
        EarningRule.objects.filter(programme_id=programme_id, active=True)
        .filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=day),
            Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        )
        .select_related("segment")
    )
    segments = {r.segment_id: r.segment for r in rules if r.segment is not None}
    if not segments:
        return rules
    inside = segments_containing(customer_id=customer_id, segments=list(segments.values()))
    return [r for r in rules if r.segment_id is None or r.segment_id in inside]


def _memberships(order: Order) -> list[Membership]:
    return list(
        Membership.objects.filter(
            customer_id=order.customer_id,
            programme__active=True,
            programme__currency=order.currency,
        )
        .select_related("programme", "tier")
        .prefetch_related("programme__tiers")
    )


@transaction.atomic
def order_points_award(*, order_id: int) -> list[Movement]:
    """Credit a confirmed order's points to each of its customer's memberships, once."""
    order = Order.objects.filter(pk=order_id).prefetch_related("lines__product").first()
    if order is None or order.status not in EARNING:
        return []
    day = timezone.localdate(order.confirmed_at or timezone.now())  # the site's day, not UTC's
    earned = []
    for membership in _memberships(order):
        done = Movement.objects.filter(membership=membership, order=order)
        if done.exists():  # earned already (or reversed: a cancelled order earns no more)
            continue
        points = order_points(
            order=order,
            membership=membership,
            rules=_rules(membership.programme_id, day, order.customer_id),
        )
        if points <= 0:
            continue
        try:
            with transaction.atomic():
                earned.append(
                    movement_post(
                        membership=membership,
                        kind=Movement.Kind.EARN,
                        points=points,
                        order_id=order.pk,
                        reason=str(order),
                    )
                )
        except IntegrityError:  # another delivery earned it meanwhile
            continue
        tier_evaluate(membership=membership, allow_down=False)
    return earned


@transaction.atomic
def order_points_reverse(*, order_id: int) -> list[Movement]:
    """Take back what a cancelled order earned (at most the balance), once."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or order.status != Order.Status.CANCELLED:
        return []
    reversed_ = []
    earns = Movement.objects.filter(order=order, kind=Movement.Kind.EARN).select_related(
        "membership__programme", "membership__tier"
    )
    for earn in earns:
        membership = earn.membership
        if Movement.objects.filter(
            membership=membership, order=order, kind=Movement.Kind.REVERSE
        ).exists():
            continue
        balance = Membership.objects.values_list("balance", flat=True).get(pk=membership.pk)
        points = min(earn.points, balance)
        if points <= 0:
            continue
        try:
            with transaction.atomic():
                reversed_.append(
                    movement_post(
                        membership=membership,
                        kind=Movement.Kind.REVERSE,
                        points=-points,
                        order_id=order.pk,
                        reason=str(order),
                    )
                )
        except IntegrityError:
            continue
        tier_evaluate(membership=membership)
    return reversed_


def handle_event(name: str, payload: dict[str, Any], event_id: int) -> None:
    """The durable subscriber: an order's event earns or reverses its points."""
    order_id = payload["order_id"]
    if name == "order.status_changed" and payload["to_status"] == Order.Status.CANCELLED:
        order_points_reverse(order_id=order_id)
    else:
        order_points_award(order_id=order_id)
