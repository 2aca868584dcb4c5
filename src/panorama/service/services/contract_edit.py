"""A service contract's terms changed in place: its name, owner, SLA policy,
entitlements (visits, hours) and renewal notice. One service, ``contract_update``, for
the contract's list (edited in place), the API's ``PATCH`` and the shell: the rules of a
new contract (``contract_create``), allowed to whoever may create contracts
(``service.edit``), refused on a cancelled contract (409).

Its period is not changed here: a later end is ``contract_extend``, an end before its
term is ``contract_cancel`` (each with its own consequences on the cases it covers)."""

from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.db import models, transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.core.validation import rules_for

from ..models import ServiceContract, SlaPolicy
from .contract import _locked, _timeline, recount_period

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


def _cleaned(contract: ServiceContract, changes: dict[str, Any]) -> dict[str, Any]:
    """The new values, each checked as ``contract_create`` checks it, plus what a
    contract already consumed: no fewer visits or hours than were used."""
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
        if visits is not None and visits < contract.visits_used:
            raise ValidationFailed(
                _("%(n)s visits were already used: give %(n)s or more.")
                % {"n": contract.visits_used},
                field="visits_included",
            )
        values["visits_included"] = visits
    if "hours_included" in changes:
        hours = _hours(changes["hours_included"])
        if hours is not None and hours < contract.hours_used:
            raise ValidationFailed(
                _("%(n)s hours were already used: give %(n)s or more.")
                % {"n": contract.hours_used},
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


def _label(name: str) -> str:
    """A changed field as the contract's page names it (the model's verbose name)."""
    field = cast(models.Field, ServiceContract._meta.get_field(name.removesuffix("_id")))
    return str(field.verbose_name)


@transaction.atomic
def contract_update(
    *, by: User | None, contract_id: int, changes: dict[str, Any]
) -> ServiceContract:
    """Change the terms given in ``changes`` (``CONTRACT_FIELDS``); the others stay. An
    SLA policy changed recounts the open cases of its period by the policy each gets
    now. Emits ``contract.updated`` with the fields that changed (none: nothing)."""
    ensure_can(by, "service.edit")
    contract = _locked(by=by, contract_id=contract_id)
    values = _cleaned(contract, changes)
    changed = sorted(name for name, value in values.items() if getattr(contract, name) != value)
    if not changed:
        return contract
    before = {name: getattr(contract, name) for name in changed}
    for name in changed:
        setattr(contract, name, values[name])
    try:
        rules_for(ServiceContract).check(contract)
    except ValidationFailed:
        for name, value in before.items():
            setattr(contract, name, value)  # the row on the page keeps what it had
        raise
    contract.save(update_fields=[*changed])
    recounted = 0
    if "sla_policy_id" in changed:
        recounted = recount_period(
            contract,
            since=contract.starts_on,
            reason=_("contract %(ref)s now gives another SLA policy") % {"ref": contract.reference},
        )
    _timeline(
        contract,
        by=by,
        subject=_("Contract %(ref)s changed: %(fields)s")
        % {
            "ref": contract.reference,
            "fields": ", ".join(_label(name) for name in changed),
        },
    )
    emit(
        "contract.updated",
        contract_id=contract.pk,
        customer_id=contract.customer_id,
        fields=changed,
        cases_recounted=recounted,
        by=by.pk if by else None,
    )
    return contract
