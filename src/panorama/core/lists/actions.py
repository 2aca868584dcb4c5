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
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from panorama.accounts.permissions import can
from panorama.core.exceptions import DomainError, PermissionDenied, ValidationFailed

if TYPE_CHECKING:
    from panorama.core.models import BulkJob

    from .definition import Label, ListDefinition, ListState

# Up to this many rows a bulk action answers at once; more become a background job
# (``BulkJob``) whose progress the list shows while the page stays usable.
BULK_INLINE = 200
# At most this many rows in one bulk action: more is refused with the count, never cut.
BULK_MAX = 100_000


@dataclass(frozen=True)
class BulkAction:
    """One action of the bulk bar. Exactly one way to run it:

    - ``run(user, row, value)``: one row at a time, through the app's service;
    - ``run_many(user, rows, value)``: a chunk of rows in one service call (adding 100
      customers to a marketing list is one write and one event, not a hundred). It
      returns a ``ChunkResult`` naming the rows it refused, each with why (the others
      were done), or anything else when it did them all. A ``DomainError`` it raises
      for several rows does not refuse them all: each row is tried on its own, so one
      bad row costs only itself (a ``PermissionDenied`` refuses the chunk at once);
    - ``export``: "csv" or "xlsx", the rows' shown columns written to a file its user
      downloads (``core.lists.export``).

    ``before(row)`` and ``undo(user, row, before)`` make it undoable. ``before`` says, as
    JSON (ids, strings), what the action changes on a row; the job keeps it for each
    changed row as it was before the action and as the action left it. *Undo* puts a row
    back through ``undo`` (the app's service, its permission checks included) only while
    the row still reads as the action left it; a row changed since is left as it is and
    reported with ``changed_since``.

    ``deletes``: the action deletes its rows (``run_many`` only). Its ``undo(user, None,
    kept)`` puts a deleted row back from what its ``ChunkResult.kept`` says of it (the
    list no longer finds the row, so nothing is compared with ``before``).

    ``prepare(user, value)`` runs once, in the request, before any row (the value checked
    by ``field``): it makes what the rows go into (a new marketing list) and returns the
    text the rows then run with, cleaned by ``field`` again (the job keeps that text).
    A ``DomainError`` from it refuses the whole action with its message."""

    key: str
    label: Label
    run: Callable[[Any, Any, Any], Any] | None = None  # (user, row, value)
    field: Callable[[Any], forms.Field] | None = None  # its one parameter, if any
    permission: str = ""  # shown to who may; the service still checks every row
    run_many: Callable[[Any, list, Any], Any] | None = None  # (user, rows, value)
    export: str = ""
    before: Callable[[Any], Any] | None = None
    undo: Callable[[Any, Any, Any], Any] | None = None  # (user, row, before)
    changed_since: Label = gettext_lazy("Changed since the bulk action: left as it is.")
    prepare: Callable[[Any, Any], str] | None = None  # (user, value) -> the rows' value
    deletes: bool = False

    def allowed(self, user: Any) -> bool:
        return not self.permission or can(user, self.permission)

    @property
    def always_job(self) -> bool:
        """Kept as a ``BulkJob`` however few its rows: it leaves a file or an undo."""
        return bool(self.export or self.undo)


@dataclass
class ChunkResult:
    """What a chunk service (``BulkAction.run_many``) says of its rows: the ones it
    refused, by id, with why (every other row was done, in its one write), and for an
    action that deletes, what the undo needs to put each deleted row back, by id."""

    refused: dict[int, str] = field(default_factory=dict)
    kept: dict[int, Any] = field(default_factory=dict)


DELETE = "delete"  # the key of ``delete_action``: its report counts rows deleted


def delete_action(
    run: Callable[[Any, Any, Any], Any] | None, required: Any, *, permission: str, **extra: Any
) -> BulkAction:
    """*Delete*: the user must first choose "Delete them for good" in a select; without
    it the action is refused with ``required``, nothing done. ``run`` deletes one row;
    or ``run_many=…`` a chunk (with ``deletes=True``, ``undo=…`` to put them back)."""

    def confirm(user: Any) -> forms.Field:
        return forms.ChoiceField(
            label=_("Confirm…"),
            choices=[("", _("Confirm…")), ("yes", _("Delete them for good"))],
            error_messages={"required": required},
        )

    return BulkAction(
        DELETE, gettext_lazy("Delete"), field=confirm, run=run, permission=permission, **extra
    )


# Actions other apps add to a list they cannot import (marketing's "add to list" on the
# customer list), by list name, from their AppConfig.ready().
EXTRA_ACTIONS: dict[str, list[BulkAction]] = {}


def bulk_action_add(list_name: str, action: BulkAction) -> None:
    """Offer ``action`` on the list ``list_name`` (once, whatever the reloads)."""
    actions = EXTRA_ACTIONS.setdefault(list_name, [])
    if all(a.key != action.key for a in actions):
        actions.append(action)


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
    deletes: bool = False  # the rows done were deleted, not changed

    @property
    def summary(self) -> str:
        if self.deletes:
            text = ngettext("%(n)s row deleted.", "%(n)s rows deleted.", self.done)
        else:
            text = ngettext("%(n)s row changed.", "%(n)s rows changed.", self.done)
        text %= {"n": self.done}
        if self.refused:
            text += " " + ngettext(
                "%(n)s row refused:", "%(n)s rows refused:", len(self.refused)
            ) % {"n": len(self.refused)}
        return text


def _resolve(
    *,
    definition: ListDefinition,
    user: Any,
    state: ListState,
    action_key: str,
    raw_value: Any,
    ids: list[str],
    everything: bool,
    undoing: bool = False,
) -> tuple[BulkAction, Any, QuerySet]:
    """The action, its typed value and the rows it applies to (scoped: nothing outside
    the user's sight), or a ValidationFailed that says what is wrong."""
    action = next((a for a in definition.actions() if a.key == action_key), None)
    # An undo is not refused as a whole: each row goes through the service, which says
    # for that row when its user may no longer change it.
    if action is None or not (undoing or action.allowed(user)):
        raise ValidationFailed(_("Choose an action."), field="action")
    value = clean(action.field(user), raw_value, "value") if action.field and not undoing else None
    # What the shown columns read (an export's cells), in the rows' own query.
    rows = definition.filtered(user, state).annotate(**definition.annotations(state))
    if definition.row_related:
        rows = rows.select_related(*definition.row_related)
    if not everything:
        pks = [int(pk) for pk in ids if str(pk).isdigit()]
        if not pks:
            raise ValidationFailed(_("Select at least one row."), field="ids")
        rows = rows.filter(pk__in=pks)
    return action, value, rows.order_by("pk")


def _apply(action: BulkAction, user: Any, row: Any, value: Any) -> str:
    """Run the action on one row: "" when done, else the service's reason."""
    assert action.run is not None
    try:
        action.run(user, row, value)
    except DomainError as exc:
        return str(exc.message)
    return ""


def bulk_run(
    *,
    definition: ListDefinition,
    user: Any,
    state: ListState,
    action_key: str,
    raw_value: Any,
    ids: list[str],
    everything: bool,
    query: str = "",
) -> BulkReport | BulkJob:
    """Run one bulk action over the rows ``user`` selected (``ids``), or over every row
    that matches ``state`` (``everything``): each row through the app's service, in its
    own transaction; a refused row is reported and the others go on. Up to
    ``BULK_INLINE`` rows: at once, the report returned. More: a ``BulkJob`` queued for
    the task worker (returned), run the same way."""
    action, value, rows = _resolve(
        definition=definition,
        user=user,
        state=state,
        action_key=action_key,
        raw_value=raw_value,
        ids=ids,
        everything=everything,
    )
    chosen = list(rows[: BULK_INLINE + 1])
    if len(chosen) > BULK_INLINE:
        total = rows.count()
        if total > BULK_MAX:
            raise ValidationFailed(
                _("At most %(max)s rows at once: narrow the list with its filters.")
                % {"max": f"{BULK_MAX:,}"},
                field="ids",
            )
        named = None
        if action.prepare is not None:
            raw_value, named = action.prepare(user, value), value
        return _job_queue(
            definition, user, action, raw_value, ids, everything, query, total, named=named
        )
    named = None
    if action.prepare is not None:
        raw_value, named = action.prepare(user, value), value
        value = clean(action.field(user), raw_value, "value") if action.field else raw_value
    if action.always_job:
        # Few rows, but a file to download or an undo to keep: a job, run right here.
        from .jobs import bulk_job_run

        job = _job_queue(
            definition,
            user,
            action,
            raw_value,
            ids,
            everything,
            query,
            len(chosen),
            now=True,
            named=named,
        )
        bulk_job_run(job.pk)
        job.refresh_from_db()
        return job
    report = BulkReport(action=_label(action, named), deletes=action.key == DELETE)
    if action.run_many is not None:
        for row, why in _apply_many(action, user, chosen, value)[0]:
            if why:
                report.refused.append((str(row), why))
            else:
                report.done += 1
        return report
    for row in chosen:
        reason = _apply(action, user, row, value)
        if reason:
            report.refused.append((str(row), reason))
        else:
            report.done += 1
    return report


def _apply_many(
    action: BulkAction, user: Any, rows: list, value: Any
) -> tuple[list[tuple[Any, str]], dict[int, Any]]:
    """Run a chunk action: (row, "") for each row done, (row, reason) for each refused,
    and what its undo keeps of the deleted rows (``ChunkResult.kept``). A refusal the
    service raises for several rows is not theirs all: each is tried on its own."""
    assert action.run_many is not None
    try:
        result = action.run_many(user, rows, value)
    except PermissionDenied as exc:  # the user's, not a row's: the chunk refused at once
        return [(row, str(exc.message)) for row in rows], {}
    except DomainError as exc:
        if len(rows) == 1:
            return [(rows[0], str(exc.message))], {}
        outcomes: list[tuple[Any, str]] = []
        kept: dict[int, Any] = {}
        for row in rows:
            one, one_kept = _apply_many(action, user, [row], value)
            outcomes += one
            kept.update(one_kept)
        return outcomes, kept
    if not isinstance(result, ChunkResult):
        return [(row, "") for row in rows], {}
    return [(row, str(result.refused.get(row.pk, ""))) for row in rows], result.kept


def _label(action: BulkAction, named: Any = None) -> str:
    """The action's name in its report: with what ``prepare`` made ("…: Spring offer")."""
    return f"{action.label}: {named}" if named else str(action.label)


def _job_queue(
    definition, user, action, raw_value, ids, everything, query, total, now=False, named=None
) -> BulkJob:
    """The job, queued for the worker (``now``: for the caller to run at once)."""
    from panorama.core.models import BulkJob
    from panorama.core.tasks import bulk_job_task

    job = BulkJob.objects.create(
        user=user,
        list_name=definition.name,
        action=action.key,
        action_label=_label(action, named)[:200],
        raw_value="" if raw_value is None else str(raw_value)[:200],
        query=query[:2000],
        ids=[] if everything else [str(pk) for pk in ids],
        everything=everything,
        total=total,
    )
    if not now:
        transaction.on_commit(lambda: bulk_job_task.enqueue(job.pk))
    return job
