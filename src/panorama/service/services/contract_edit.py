"""A service contract's terms changed in place: its name, owner, SLA policy,
entitlements (visits, hours) and renewal notice. One service, ``contract_update``, for
the contract's list (edited in place), the API's ``PATCH`` and the shell: the rules of a
new contract (``contract_create``), allowed to whoever may create contracts
(``service.edit``), refused on a cancelled contract (409).

Its period is not changed here: a later end is ``contract_extend``, an end before its
term is ``contract_cancel`` (each with its own consequences on the cases it covers)."""

from typing import Any, cast

from django.db import models, transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.core.validation import rules_for

from ..models import ServiceContract
from .contract import _locked, _timeline, recount_period
from .contract_terms import contract_terms_clean


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
    values = contract_terms_clean(
        changes, visits_used=contract.visits_used, hours_used=contract.hours_used
    )
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
