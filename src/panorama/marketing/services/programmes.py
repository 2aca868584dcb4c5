"""Retention, win-back and cross-sell programmes: their target as a segment built from
a few plain questions. Churn risk comes from the analytics scores when that app has
registered them as segment fields (``score.churn_risk``); inactivity is a rule on the
contact history that needs no scores. The segment is an ordinary one (edited, counted
and snapshotted as any other); the campaign that targets it carries the programme, the
offer and the argumentario, and its results are measured against its control group."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.exceptions import ValidationFailed

from .. import rules as segment_rules
from ..models import Campaign, Segment
from .segments import segment_save

CHURN_FIELD = "score.churn_risk"


def churn_available() -> bool:
    return CHURN_FIELD in segment_rules.fields()


def programme_rules(
    *,
    churn_above: Any = None,
    inactive_days: Any = None,
    offer_product_code: str = "",
) -> dict:
    """The target's rules: churn risk above a probability, no contact for N days, and
    not holding the offered product yet; all given ones together."""
    conditions: list[dict] = []
    if churn_above not in (None, ""):
        if not churn_available():
            raise ValidationFailed(
                _(
                    "There are no churn scores here (analytics is not installed): "
                    "target by inactivity."
                ),
                field="churn_above",
            )
        try:
            churn = Decimal(str(churn_above))
        except InvalidOperation:
            churn = Decimal("NaN")
        if not churn.is_finite() or not 0 <= churn < 1:
            raise ValidationFailed(
                _("The churn risk is a probability from 0 to 1, such as 0.6."), field="churn_above"
            )
        conditions.append({"field": CHURN_FIELD, "op": "gt", "value": str(churn)})
    if inactive_days not in (None, ""):
        if (
            not isinstance(inactive_days, int)
            or isinstance(inactive_days, bool)
            or not (1 <= inactive_days <= 3650)
        ):
            raise ValidationFailed(
                _("Give the days without contact as a whole number from 1 to 3,650."),
                field="inactive_days",
            )
        conditions.append({"field": "contacted", "op": "not_within_days", "value": inactive_days})
    if not conditions:
        raise ValidationFailed(
            _("Give a churn risk or a number of days without contact."), field="inactive_days"
        )
    code = (offer_product_code or "").strip()
    if code:
        conditions.append({"field": "holding", "op": "has_not", "value": code})
    return {"op": "and", "rules": conditions}


def programme_segment_create(
    *,
    by: User | None,
    programme: str,
    name: str,
    churn_above: Any = None,
    inactive_days: Any = None,
    offer_product_code: str = "",
) -> Segment:
    """A segment for a programme's target (through ``segment_save``: its permission,
    its validation, its event)."""
    if programme not in Campaign.Programme.values:
        raise ValidationFailed(_("Unknown programme %(p)s.") % {"p": programme}, field="programme")
    rules = programme_rules(
        churn_above=churn_above, inactive_days=inactive_days, offer_product_code=offer_product_code
    )
    parts = []
    if churn_above not in (None, ""):
        parts.append(_("churn risk above %(p)s") % {"p": churn_above})
    if inactive_days not in (None, ""):
        parts.append(_("no contact in %(n)s days") % {"n": inactive_days})
    if offer_product_code.strip():
        parts.append(_("without %(code)s") % {"code": offer_product_code.strip()})
    description = f"{Campaign.Programme(programme).label}: {', '.join(parts)}"
    return segment_save(by=by, name=name, rules=rules, description=description)
