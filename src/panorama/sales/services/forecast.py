"""Managers' adjustments of the forecast (``sales.forecast_adjust``): each one is a new
row, so the history stays; the latest one for a target, period and category wins."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import Team, User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.core.validation import rules_for

from ..forecast import CATEGORIES, period_bounds
from ..models import ForecastAdjustment

MAX_AMOUNT = Decimal("999999999999.99")


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(_("An amount is a number."), field="amount") from None
    if not amount.is_finite() or not 0 <= amount <= MAX_AMOUNT:
        raise ValidationFailed(
            _("An amount is zero or more (and less than a million million)."), field="amount"
        )
    return amount


def _valid_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


@transaction.atomic
def forecast_adjust(
    *,
    by: User | None,
    period: str,
    category: str,
    amount: Any,
    rep_id: int | None = None,
    team_id: int | None = None,
    comment: str = "",
) -> ForecastAdjustment:
    """Set the figure of one forecast category for a rep or a team in a period."""
    period_bounds(period)
    if category not in CATEGORIES:
        raise ValidationFailed(
            _("Unknown forecast category %(c)s.") % {"c": category}, field="category"
        )
    value = _amount(amount)
    if (rep_id is None) == (team_id is None):
        raise ValidationFailed(_("Adjust either a rep or a team."), field="rep_id")
    target: User | Team | None
    if rep_id is not None:
        target = User.objects.filter(pk=int(rep_id or 0)).first() if _valid_id(rep_id) else None
        if target is None:
            raise ValidationFailed(
                _("User %(id)s does not exist.") % {"id": rep_id}, field="rep_id"
            )
    else:
        target = Team.objects.filter(pk=int(team_id or 0)).first() if _valid_id(team_id) else None
        if target is None:
            raise ValidationFailed(
                _("Team %(id)s does not exist.") % {"id": team_id}, field="team_id"
            )
    ensure_can(by, "sales.forecast_adjust", obj=target)
    adjustment = ForecastAdjustment(
        period=period,
        rep_id=rep_id,
        team_id=team_id,
        category=category,
        amount=value,
        comment=(comment or "").strip(),
        by=by,
    )
    rules_for(ForecastAdjustment).check(adjustment)
    adjustment.save()
    emit(
        "forecast.adjusted",
        adjustment_id=adjustment.pk,
        period=period,
        rep_id=rep_id,
        team_id=team_id,
        category=category,
        amount=str(value),
        by=by.pk if by else None,
    )
    return adjustment
