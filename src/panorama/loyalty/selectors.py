"""Loyalty reads: programmes, members (scoped like their customers), statements and the
ficha's panel, each in a bounded number of queries."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.catalog.services.financing import add_months
from panorama.core.exceptions import NotFound
from panorama.core.pagination import Keyset, Page
from panorama.customers.models import Customer
from panorama.customers.panels import present
from panorama.customers.selectors import scope_filter

from .models import EarningRule, Membership, Movement, Programme, Reward, Tier

NEWEST_FIRST = Keyset("-id", types=(int,))
STATEMENT_SIZE = 50
QUALIFYING = (Movement.Kind.EARN, Movement.Kind.REVERSE)


def months_ago(months: int, now: datetime.datetime | None = None) -> datetime.datetime:
    now = now or timezone.now()
    day = add_months(now.date(), -months)
    return now.replace(year=day.year, month=day.month, day=day.day)


# --- programmes -------------------------------------------------------------------------


def programmes(*, active: bool | None = None) -> QuerySet[Programme]:
    qs = Programme.objects.all()
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("name", "id")


def programme_get(*, programme_id: int, full: bool = False) -> Programme:
    """One programme; ``full``: its tiers, rules (product, category, segment) and rewards
    prefetched, one query each."""
    qs = Programme.objects.filter(pk=programme_id)
    if full:
        qs = qs.prefetch_related(
            "tiers",
            Prefetch(
                "rules",
                queryset=EarningRule.objects.select_related("product", "category", "segment"),
            ),
            "rewards",
        )
    programme = qs.first()
    if programme is None:
        raise NotFound(_("Loyalty programme %(id)s does not exist.") % {"id": programme_id})
    return programme


def reward_get(*, programme: Programme, reward_id: int) -> Reward:
    reward = Reward.objects.filter(programme=programme, pk=reward_id).first()
    if reward is None:
        raise NotFound(_("There is no reward %(id)s in this programme.") % {"id": reward_id})
    return reward


def rule_get(*, programme: Programme, rule_id: int) -> EarningRule:
    rule = EarningRule.objects.filter(programme=programme, pk=rule_id).first()
    if rule is None:
        raise NotFound(_("There is no earning rule %(id)s in this programme.") % {"id": rule_id})
    rule.programme = programme
    return rule


# --- members ----------------------------------------------------------------------------


def memberships_visible_to(user: User | None) -> QuerySet[Membership]:
    """The memberships of the customers ``user`` sees (None: the system, every one)."""
    qs = Membership.objects.filter(customer__merged_into__isnull=True)
    if user is not None:
        qs = qs.filter(scope_filter(user, "customer__"))
    return qs


def membership_get(*, user: User | None, membership_id: int) -> Membership:
    membership = (
        memberships_visible_to(user)
        .select_related("programme", "tier", "customer")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise NotFound(
            _("Loyalty member %(id)s does not exist or is not visible to you.")
            % {"id": membership_id}
        )
    return membership


def members(
    *, user: User, programme_id: int | None = None, tier_id: int | None = None, search: str = ""
) -> QuerySet[Membership]:
    qs = memberships_visible_to(user).select_related("programme", "tier", "customer")
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    if tier_id:
        qs = qs.filter(tier_id=tier_id)
    if search:
        qs = qs.filter(
            Q(card_number__startswith=search.replace(" ", ""))
            | Q(customer__display_name__icontains=search)
        )
    return qs


def member_page(
    *, user: User, programme_id: int | None = None, cursor: str = "", limit: int = 50
) -> Page[Membership]:
    return NEWEST_FIRST.page(
        members(user=user, programme_id=programme_id), cursor=cursor, limit=max(1, min(limit, 200))
    )


def qualifying_points(memberships: Iterable[Membership]) -> dict[int, int]:
    """Points each membership earned in its programme's qualification period (earned
    minus reversed): one query whatever the number of memberships."""
    memberships = list(memberships)
    if not memberships:
        return {}
    now = timezone.now()
    windows = Q()
    for months in {m.programme.qualification_months for m in memberships}:
        windows |= Q(
            membership__programme__qualification_months=months,
            occurred_at__gte=months_ago(months, now),
        )
    rows = (
        Movement.objects.filter(windows, membership__in=[m.pk for m in memberships])
        .filter(kind__in=QUALIFYING)
        .values("membership_id")
        .annotate(total=Sum("points"))
        .order_by()
    )
    found = {row["membership_id"]: max(0, row["total"] or 0) for row in rows}
    return {m.pk: found.get(m.pk, 0) for m in memberships}


def tier_for(tiers: list[Tier], points: int) -> Tier | None:
    """The highest tier whose threshold ``points`` reach (tiers in threshold order)."""
    reached = None
    for tier in tiers:
        if points >= tier.threshold:
            reached = tier
    return reached


@dataclass
class Standing:
    """Where a member stands: his points in the period and the way to the next tier."""

    membership: Membership
    qualifying: int
    next_tier: Tier | None
    to_next: int
    progress: int  # percent of the way from his tier to the next


def standing(membership: Membership, tiers: list[Tier], qualifying: int) -> Standing:
    above = [t for t in tiers if t.threshold > qualifying]
    next_tier = above[0] if above else None
    if next_tier is None:
        return Standing(membership, qualifying, None, 0, 100)
    floor = max((t.threshold for t in tiers if t.threshold <= qualifying), default=0)
    span = max(1, next_tier.threshold - floor)
    progress = int(100 * (qualifying - floor) / span)
    return Standing(membership, qualifying, next_tier, next_tier.threshold - qualifying, progress)


def member_standing(*, membership: Membership) -> Standing:
    """Two queries: the tiers and the qualifying points."""
    tiers = list(membership.programme.tiers.all())
    points = qualifying_points([membership])[membership.pk]
    return standing(membership, tiers, points)


def statement(
    *,
    membership: Membership,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    kind: str = "",
    cursor: str = "",
    limit: int = STATEMENT_SIZE,
) -> Page[Movement]:
    """A member's movements, newest first, in a period: one query a page."""
    qs = Movement.objects.filter(membership=membership).select_related("reward", "order", "by")
    if since:
        qs = qs.filter(occurred_at__date__gte=since)
    if until:
        qs = qs.filter(occurred_at__date__lte=until)
    if kind:
        qs = qs.filter(kind=kind)
    return NEWEST_FIRST.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))


def statement_totals(
    *, membership: Membership, since: datetime.date | None, until: datetime.date | None
) -> dict[str, int]:
    """Points per kind of movement in the period (one query)."""
    qs = Movement.objects.filter(membership=membership)
    if since:
        qs = qs.filter(occurred_at__date__gte=since)
    if until:
        qs = qs.filter(occurred_at__date__lte=until)
    rows = qs.values("kind").annotate(total=Sum("points")).order_by()
    totals = {kind: 0 for kind in Movement.Kind.values}
    totals.update({row["kind"]: row["total"] for row in rows})
    return totals


# --- the ficha's panel -------------------------------------------------------------------


def customer_loyalty(*, customer: Customer, user: User) -> dict[str, Any]:
    """The customer's cards with tier, balance and progress, and the active programmes he
    could join: four queries whatever his history (one, the programmes, when the ficha
    read that he has no card)."""
    memberships = (
        list(
            Membership.objects.filter(customer=customer)
            .select_related("programme", "tier")
            .prefetch_related("programme__tiers")
            .order_by("programme__name", "id")
        )
        if present(customer, "loyalty_cards")
        else []
    )
    points = qualifying_points(memberships)
    standings = [standing(m, list(m.programme.tiers.all()), points[m.pk]) for m in memberships]
    joined = {m.programme_id for m in memberships}
    open_programmes = [p for p in programmes(active=True) if p.pk not in joined]
    return {"standings": standings, "programmes": open_programmes, "customer_id": customer.pk}
