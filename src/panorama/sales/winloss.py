"""Win/loss analysis: the opportunities closed in a period, won and lost, counted and
summed (company currency) by lost reason, by the stage they were lost from, by rep and
by month or quarter. Each breakdown is one grouped query over the user's scope."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncQuarter
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.exceptions import ValidationFailed

from .models import Opportunity, OpportunityProduct, StageChange
from .selectors import opportunities_visible_to

WON, LOST = Opportunity.Status.WON, Opportunity.Status.LOST
PERIODS = {"month": TruncMonth, "quarter": TruncQuarter}


@dataclass(frozen=True)
class WinLossFilters:
    pipeline_id: int | None = None
    owner_id: int | None = None
    team_id: int | None = None
    closed_from: datetime.date | None = None
    closed_to: datetime.date | None = None
    period: str = "month"


def _closed(user: User, filters: WinLossFilters) -> QuerySet[Opportunity]:
    qs = opportunities_visible_to(user).filter(status__in=[WON, LOST])
    if filters.pipeline_id is not None:
        qs = qs.filter(pipeline_id=filters.pipeline_id)
    if filters.owner_id is not None:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.team_id is not None:
        qs = qs.filter(team_id=filters.team_id)
    if filters.closed_from is not None:
        qs = qs.filter(closed_at__date__gte=filters.closed_from)
    if filters.closed_to is not None:
        qs = qs.filter(closed_at__date__lte=filters.closed_to)
    return qs


def _split(prefix: str = "") -> dict[str, Any]:
    """Won and lost counts and sums in one pass."""
    status = f"{prefix}status"
    amount = f"{prefix}amount_base"
    return {
        "won": Count("pk", filter=Q(**{status: WON})),
        "lost": Count("pk", filter=Q(**{status: LOST})),
        "won_amount": Sum(amount, filter=Q(**{status: WON}), default=Decimal(0)),
        "lost_amount": Sum(amount, filter=Q(**{status: LOST}), default=Decimal(0)),
    }


def _rate(row: dict) -> dict:
    closed = row["won"] + row["lost"]
    row["win_rate"] = round(100 * row["won"] / closed, 1) if closed else None
    return row


def win_loss(*, user: User, filters: WinLossFilters) -> dict[str, Any]:
    """The analysis as plain data (the page and the API show the same)."""
    if filters.period not in PERIODS:
        raise ValidationFailed(_("A period is “month” or “quarter”."), field="period")
    if filters.closed_from and filters.closed_to and filters.closed_from > filters.closed_to:
        raise ValidationFailed(_("The start comes after the end."), field="closed_from")
    closed = _closed(user, filters).order_by()
    totals = _rate(_pick(closed.aggregate(**_split())))
    by_reason = [
        {
            "reason_id": r["lost_reason_id"],
            "reason": r["lost_reason__name"] or _("No reason"),
            "lost": r["n"],
            "lost_amount": Decimal(r["amount"] or 0).quantize(Decimal("0.01")),
        }
        for r in closed.filter(status=LOST)
        .values("lost_reason_id", "lost_reason__name")
        .annotate(n=Count("pk"), amount=Sum("amount_base"))
        .order_by("-n", "lost_reason__name")
    ]
    # The stage each lost opportunity left for its (last) lost stage.
    lost_moves = StageChange.objects.filter(
        opportunity__in=closed.filter(status=LOST).values("pk"),
        to_stage=F("opportunity__stage"),
        at=F("opportunity__closed_at"),
    )
    by_stage = [
        {
            "stage_id": r["from_stage_id"],
            "stage": r["from_stage__name"] or _("Opened as lost"),
            "lost": r["n"],
            "lost_amount": Decimal(r["amount"] or 0).quantize(Decimal("0.01")),
        }
        for r in lost_moves.values("from_stage_id", "from_stage__name", "from_stage__position")
        .annotate(n=Count("opportunity_id"), amount=Sum("opportunity__amount_base"))
        .order_by("from_stage__position", "from_stage_id")
    ]
    by_rep = [
        _rate({"owner_id": r["owner_id"], "rep": _rep_name(r), **_pick(r)})
        for r in closed.values(
            "owner_id", "owner__username", "owner__first_name", "owner__last_name"
        )
        .annotate(**_split())
        .order_by("-won_amount", "owner__username")
    ]
    trunc = PERIODS[filters.period]
    by_period = [
        _rate({"period": r["period"].date() if r["period"] else None, **_pick(r)})
        for r in closed.annotate(period=trunc("closed_at"))
        .values("period")
        .annotate(**_split())
        .order_by("period")
    ]
    by_product = [
        _rate({"product_id": r["product_id"], "product": r["product__name"], **_pick(r)})
        for r in OpportunityProduct.objects.filter(opportunity__in=closed.values("pk"))
        .values("product_id", "product__name")
        .annotate(**_split("opportunity__"))
        .order_by("-won_amount", "product__name")
    ]
    return {
        "totals": totals,
        "by_product": by_product,
        "by_reason": by_reason,
        "by_stage": by_stage,
        "by_rep": by_rep,
        "by_period": by_period,
        "period": filters.period,
    }


def _pick(row: dict) -> dict:
    cents = Decimal("0.01")
    return {
        "won": row["won"],
        "lost": row["lost"],
        "won_amount": Decimal(row["won_amount"] or 0).quantize(cents),
        "lost_amount": Decimal(row["lost_amount"] or 0).quantize(cents),
    }


def _rep_name(row: dict) -> str:
    if row["owner_id"] is None:
        return _("Nobody")
    full = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
    return full or row["owner__username"]
