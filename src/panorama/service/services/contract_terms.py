"""A service contract's terms, checked once for a new contract (``contract_create``) and
a changed one (``contract_update``): the same rules and messages from the form, the list's
edit in place, the API and the shell."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.exceptions import ValidationFailed

from ..models import SlaPolicy

# What ``contract_update`` changes, by the name the API and the list give it.
CONTRACT_FIELDS = (
    "name",
    "owner_id",
    "sla_policy_id",
    "visits_included",
    "hours_included",
    "renewal_notice_days",
)
HOURS_MAX = Decimal("99999.99")  # hours_included: max_digits=7, decimal_places=2


def _count(value: Any, *, field: str, message: str) -> int | None:
    """A whole number of 0 or more, or None (unlimited); else ``message``."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationFailed(message, field=field) from None
    # 2.5 visits is refused, not cut to 2.
    if not number.is_finite() or number != number.to_integral_value() or number < 0:
        raise ValidationFailed(message, field=field)
    if number >= 2**31:
        raise ValidationFailed(message, field=field)
    return int(number)


def _hours(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    message = _("Give a number of hours of 0 or more.")
    try:
        hours = Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed(message, field="hours_included") from None
    if not hours.is_finite() or hours < 0:
        raise ValidationFailed(message, field="hours_included")
    if hours > HOURS_MAX or hours != hours.quantize(Decimal("0.01")):
        raise ValidationFailed(
            _("Give the hours with at most two decimals, up to %(max)s.") % {"max": HOURS_MAX},
            field="hours_included",
        )
    return hours


def _owner(owner_id: Any) -> int | None:
    if owner_id is None or owner_id == "":
        return None
    owner = User.objects.filter(pk=owner_id, is_active=True).values_list("pk", flat=True).first()
    if owner is None:
        raise ValidationFailed(
            _("User %(id)s does not exist or is not active.") % {"id": owner_id}, field="owner_id"
        )
    return owner


def _policy(policy_id: Any) -> int | None:
    if policy_id is None or policy_id == "":
        return None
    if not SlaPolicy.objects.filter(pk=policy_id).exists():
        raise ValidationFailed(
            _("SLA policy %(id)s does not exist.") % {"id": policy_id}, field="sla_policy_id"
        )
    return int(policy_id)


def contract_terms_clean(
    changes: dict[str, Any], *, visits_used: int = 0, hours_used: Decimal = Decimal(0)
) -> dict[str, Any]:
    """The terms given in ``changes`` (``CONTRACT_FIELDS``), each checked and cleaned, for
    a new contract (``contract_create``) and a changed one (``contract_update``, which
    passes what the contract already consumed: no fewer visits or hours than were
    used)."""
    unknown = sorted(set(changes) - set(CONTRACT_FIELDS))
    if unknown:
        raise ValidationFailed(
            _("A contract has no field %(field)s that can be changed.") % {"field": unknown[0]},
            field=unknown[0],
        )
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = (changes["name"] or "").strip()
        if not values["name"]:
            raise ValidationFailed(_("A contract needs a name."), field="name")
    if "owner_id" in changes:
        values["owner_id"] = _owner(changes["owner_id"])
    if "sla_policy_id" in changes:
        values["sla_policy_id"] = _policy(changes["sla_policy_id"])
    if "visits_included" in changes:
        visits = _count(
            changes["visits_included"],
            field="visits_included",
            message=_("Give a number of visits of 0 or more."),
        )
        if visits is not None and visits < visits_used:
            raise ValidationFailed(
                _("%(n)s visits were already used: give %(n)s or more.") % {"n": visits_used},
                field="visits_included",
            )
        values["visits_included"] = visits
    if "hours_included" in changes:
        hours = _hours(changes["hours_included"])
        if hours is not None and hours < hours_used:
            raise ValidationFailed(
                _("%(n)s hours were already used: give %(n)s or more.") % {"n": hours_used},
                field="hours_included",
            )
        values["hours_included"] = hours
    if "renewal_notice_days" in changes:
        days = _count(
            changes["renewal_notice_days"],
            field="renewal_notice_days",
            message=_("Give the renewal notice as a number of days from 0 to 365."),
        )
        if days is None or days > 365:
            raise ValidationFailed(
                _("Give the renewal notice as a number of days from 0 to 365."),
                field="renewal_notice_days",
            )
        values["renewal_notice_days"] = days
    return values
