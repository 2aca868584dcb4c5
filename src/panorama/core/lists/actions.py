"""What a list lets a user do to its rows: bulk actions over the selected rows (or all
that match) and inline edits of one cell. Both go through the app's own services, the
same ones its forms and API call, so the rules and the error messages are the same.

Declared on the list::

    bulk_actions = [
        BulkAction("assign_owner", _("Assign account manager"),
                   field=lambda user: forms.ModelChoiceField(User.objects.filter(...)),
                   run=lambda user, row, owner: customer_update(customer=row, by=user,
                                                                changes={"owner": owner}),
                   permission="customers.edit"),
    ]
    Column("status", _("Status"), value=..., edit=Edit(
        field=lambda user: CustomerEditForm().fields["status"],
        initial=lambda row: row.status,
        save=lambda user, row, value: customer_update(customer=row, by=user,
                                                     changes={"status": value}),
        permission="customers.edit"))

``run`` and ``save`` raise a ``DomainError`` to refuse: a bulk action reports it for
that row and goes on with the others; an inline edit shows it in the cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from panorama.accounts.permissions import can
from panorama.core.exceptions import DomainError, ValidationFailed

if TYPE_CHECKING:
    from .definition import Label, ListDefinition, ListState

# At most this many rows in one bulk action: more is refused with the count, never cut.
BULK_MAX = 1000


@dataclass(frozen=True)
class BulkAction:
    key: str
    label: Label
    run: Callable[[Any, Any, Any], Any]  # (user, row, value)
    field: Callable[[Any], forms.Field] | None = None  # its one parameter, if any
    permission: str = ""  # shown to who may; the service still checks every row

    def allowed(self, user: Any) -> bool:
        return not self.permission or can(user, self.permission)


@dataclass(frozen=True)
class Edit:
    """An editable cell: the form field (the record form's own), its current value, and
    the service call that saves it."""

    field: Callable[[Any], forms.Field]
    initial: Callable[[Any], Any]
    save: Callable[[Any, Any, Any], Any]  # (user, row, value)
    permission: str = ""

    def allowed(self, user: Any) -> bool:
        return not self.permission or can(user, self.permission)


def clean(form_field: forms.Field, raw: Any, name: str) -> Any:
    """The typed value, or the field's own message as a ValidationFailed."""
    try:
        return form_field.clean(raw)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field=name) from None


@dataclass
class BulkReport:
    action: str
    done: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (row, reason)

    @property
    def summary(self) -> str:
        text = ngettext("%(n)s row changed.", "%(n)s rows changed.", self.done) % {"n": self.done}
        if self.refused:
            text += " " + ngettext(
                "%(n)s row refused:", "%(n)s rows refused:", len(self.refused)
            ) % {"n": len(self.refused)}
        return text


def bulk_run(
    *,
    definition: ListDefinition,
    user: Any,
    state: ListState,
    action_key: str,
    raw_value: Any,
    ids: list[str],
    everything: bool,
) -> BulkReport:
    """Run one bulk action over the rows ``user`` selected (``ids``), or over every row
    that matches ``state`` (``everything``): each row through the app's service, in its
    own transaction; a refused row is reported and the others go on."""
    action = next((a for a in definition.bulk_actions if a.key == action_key), None)
    if action is None or not action.allowed(user):
        raise ValidationFailed(_("Choose an action."), field="action")
    value = clean(action.field(user), raw_value, "value") if action.field else None
    rows = definition.filtered(user, state)  # scoped: nothing outside the user's sight
    if not everything:
        pks = [int(pk) for pk in ids if pk.isdigit()]
        if not pks:
            raise ValidationFailed(_("Select at least one row."), field="ids")
        rows = rows.filter(pk__in=pks)
    chosen = list(rows.order_by("pk")[: BULK_MAX + 1])
    if len(chosen) > BULK_MAX:
        raise ValidationFailed(
            _("At most %(max)s rows at once: narrow the list with its filters.")
            % {"max": f"{BULK_MAX:,}"},
            field="ids",
        )
    report = BulkReport(action=str(action.label))
    for row in chosen:
        try:
            action.run(user, row, value)
        except DomainError as exc:
            report.refused.append((str(row), str(exc.message)))
        else:
            report.done += 1
    return report
