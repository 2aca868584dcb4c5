"""The daily sweeps: points past their programme's expiry, and every member placed in
the tier his qualification period earns (up or down). Both are idempotent: run them as
often as you like."""

import datetime

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..models import Membership, Movement, Programme
from .members import movement_post, tier_apply


def points_expire(*, now: datetime.datetime | None = None) -> int:
    """Expire the points earned more than ``expiry_months`` ago that are still unspent,
    oldest first (FIFO): spending, expiring and reversing always consume the oldest
    points, so what is left of the old ones is their credits minus every debit so far.
    Each member's expiry is its own transaction; how many members lost points."""
    now = now or timezone.now()
    expired = 0
    for months in set(
        Programme.objects.filter(expiry_months__gt=0).values_list("expiry_months", flat=True)
    ):
        cutoff = selectors.months_ago(months, now)
        due = (
            Membership.objects.filter(programme__expiry_months=months, balance__gt=0)
            .annotate(
                old=Sum(
                    "movements__points",
                    filter=Q(movements__points__gt=0, movements__occurred_at__lt=cutoff),
                ),
                spent=Sum("movements__points", filter=Q(movements__points__lt=0)),
            )
            .filter(old__gt=0)
            .values_list("pk", "old", "spent")
        )
        for pk, old, spent in due:
            points = old + (spent or 0)
            if points > 0:
                expired += _expire_one(pk, points, months)
    return expired


@transaction.atomic
def _expire_one(membership_id: int, points: int, months: int) -> int:
    membership = Membership.objects.select_related("programme").get(pk=membership_id)
    points = min(points, membership.balance)
    if points <= 0:
        return 0
    movement_post(
        membership=membership,
        kind=Movement.Kind.EXPIRE,
        points=-points,
        reason=_("Points older than %(months)s months") % {"months": months},
    )
    return 1


def tiers_evaluate() -> int:
    """Place every member in the tier his points in the qualification period reach
    (down too, when old points left the period); how many changed tier."""
    changed = 0
    for programme in Programme.objects.prefetch_related("tiers"):
        tiers = list(programme.tiers.all())
        batch = list(Membership.objects.filter(programme=programme).select_related("programme"))
        for membership in batch:
            membership.programme = programme
        points = selectors.qualifying_points(batch)
        for membership in batch:
            before = membership.tier_id
            with transaction.atomic():
                tier_apply(membership=membership, tiers=tiers, points=points[membership.pk])
            changed += membership.tier_id != before
    return changed


def loyalty_sweep() -> dict[str, int]:
    return {"expired": points_expire(), "tiers_changed": tiers_evaluate()}
