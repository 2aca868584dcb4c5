"""Changing an open case's details (type, priority, queue, product, asset) after it was
opened: checked as when it was opened, said on its thread as an internal note."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.core.validation import rules_for

from ..models import Case, CaseMessage
from ..selectors import case_get, queue_get
from . import sla
from .case import _choice, _message, product_and_asset_set

# What ``case_update`` changes, each with the label its note gives it.
EDITABLE = ("type", "priority", "queue_id", "product_id", "asset_id")


def _labels() -> dict[str, str]:
    return {
        "type": _("Type"),
        "priority": _("Priority"),
        "queue_id": _("Queue"),
        "product_id": _("Product"),
        "asset_id": _("Asset"),
    }


def _shown(case: Case, name: str) -> str:
    """The field's value as the case page shows it ("—": none)."""
    if name == "type":
        return str(case.get_type_display())
    if name == "priority":
        return str(case.get_priority_display())
    related = {"queue_id": "queue", "product_id": "product", "asset_id": "asset"}[name]
    value = getattr(case, related)
    return str(value) if value is not None else "—"


def _due_lines(case: Case, before: tuple) -> list[str]:
    """The note's lines for the due times a retarget moved ("—": none before)."""

    def shown(moment) -> str:
        return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else "—"

    return [
        _("%(field)s: %(old)s → %(new)s") % {"field": label, "old": shown(old), "new": shown(new)}
        for label, old, new in (
            (_("First response due"), before[0], case.first_response_due),
            (_("Resolution due"), before[1], case.resolution_due),
        )
        if old != new
    ]


@transaction.atomic
def case_update(*, by: User | None, case_id: int, changes: dict[str, Any]) -> Case:
    """Change the case's ``changes`` (any of ``EDITABLE``; ``None`` empties a queue,
    product or asset). Whoever may assign a case may change it (``service.edit``, a case
    he sees). The same checks as ``case_open``: a known type and priority, an active
    queue, an existing product, an asset of the case's customer (an asset brings its
    product when none is named). Nothing is rerouted: a new queue keeps the owner.
    What changed goes on the case's thread as an internal note and out as
    ``case.updated``; no change, nothing written. A new priority recomputes the SLA
    targets of an open case (``sla.sla_retarget``: from its opening, in business
    hours, under the policy for the new priority); the note says the new due times.
    A new queue, product or asset does the same when it gives the case another policy
    (the queue's, or a contract covering the asset or product); a type, or a change
    that leaves the policy as it was, keeps the targets."""
    ensure_can(by, "service.edit")
    case = case_get(user=by, case_id=case_id, for_update=True)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationFailed(
            _("These details of a case cannot be changed here: %(names)s.")
            % {"names": ", ".join(unknown)},
            field=unknown[0],
        )
    for name, message in (
        ("type", _("A case needs a type.")),
        ("priority", _("A case needs a priority.")),
    ):
        if name in changes and not changes[name]:
            raise ValidationFailed(message, field=name)
    before = {name: (getattr(case, name), _shown(case, name)) for name in EDITABLE}
    if "type" in changes:
        case.type = _choice(changes["type"], Case.Type, "type", _("Unknown case type %(value)s."))
    if "priority" in changes:
        case.priority = _choice(
            changes["priority"], Case.Priority, "priority", _("Unknown priority %(value)s.")
        )
    if "queue_id" in changes and changes["queue_id"] != case.queue_id:
        queue_id = changes["queue_id"]
        case.queue = None if queue_id is None else queue_get(queue_id=queue_id)
    if "product_id" in changes or "asset_id" in changes:
        product_and_asset_set(
            case,
            product_id=changes.get("product_id", case.product_id),
            asset_id=changes.get("asset_id", case.asset_id),
        )
    rules_for(Case).check(case)
    changed = [name for name in EDITABLE if getattr(case, name) != before[name][0]]
    if not changed:
        return case
    fields = [name.removesuffix("_id") for name in changed] + ["updated_at"]
    labels = _labels()
    lines = [
        _("%(field)s: %(old)s → %(new)s")
        % {"field": labels[name], "old": before[name][1], "new": _shown(case, name)}
        for name in changed
    ]
    policy_details = {"queue_id", "product_id", "asset_id"}.intersection(changed)
    if "priority" in changed or policy_details:
        dues = (case.first_response_due, case.resolution_due)
        if sla.sla_retarget(case, new_policy_only="priority" not in changed):
            fields += sla.RETARGET_FIELDS
            lines += _due_lines(case, dues)
    case.save(update_fields=fields)
    _message(
        case,
        kind=CaseMessage.Kind.NOTE,
        body=_("Case details changed.") + "\n" + "\n".join(lines),
        by=by,
    )
    emit(
        "case.updated",
        case_id=case.pk,
        customer_id=case.customer_id,
        changed=[name.removesuffix("_id") for name in changed],
        by=by.pk if by else None,
    )
    return case
