"""The agents' case queue, declared once for the shared list component (core/lists/):
my cases, a queue, the unassigned ones, as chips (status, priority, queue, owner); the
priority and the owner edited in place."""

from typing import Any

from django import forms
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.accounts import permissions
from panorama.accounts.models import User
from panorama.core.exceptions import Conflict
from panorama.core.lists import (
    NEWEST,
    OLDEST,
    BulkAction,
    Column,
    Edit,
    Filter,
    ListDefinition,
    ListState,
    attr,
    chip,
    choice,
    named_choices,
    person,
)

from .. import selectors
from ..forms import CaseAssignForm
from ..models import Case, Queue
from ..services.case import case_assign, case_set_status
from ..services.case_edit import case_update

PRIORITY_TONES = {"urgent": "danger", "high": "warning", "low": "secondary"}
STATUS_TONES = {"new": "info", "waiting": "secondary", "resolved": "success", "reopened": "warning"}


def _sla(case: Case) -> Any:
    """The flag the sweep left: breached (escalated) or at risk (warned), while open."""
    if not case.is_open:
        return "—"
    if case.response_escalated_at or case.resolution_escalated_at:
        return format_html('<span class="pn-chip pn-chip-danger">{}</span>', _("Breached"))
    if case.sla_warned_at:
        return format_html('<span class="pn-chip pn-chip-warning">{}</span>', _("At risk"))
    return "—"


def _queues(user) -> list[tuple[str, Any]]:
    return named_choices(Queue.objects.filter(active=True))


OWNER_CHOICES = [("me", _("My cases")), ("none", _("Unassigned"))]
SLA_CHOICES = [("risk", _("At risk")), ("breached", _("Breached"))]
OPEN_CHOICES = [("open", _("Open (any)")), *Case.Status.choices]


def _case_status_field(user) -> forms.Field:
    return forms.ChoiceField(label=_("Status"), choices=Case.Status.choices)


def _owner_before(case: Case) -> dict[str, Any]:
    # Assigning a new case also opens it: both are put back.
    return {"owner": case.owner_id, "status": case.status}


@transaction.atomic
def _owner_undo(user, case: Case, before: dict[str, Any]) -> None:
    owner = User.objects.filter(pk=before["owner"]).first() if before["owner"] else None
    if before["owner"] and owner is None:
        raise Conflict(_("Its former agent no longer exists: left as it is."))
    case_assign(by=user, case_id=case.pk, owner=owner)
    if before["status"] != case.status:
        case_set_status(by=user, case_id=case.pk, status=before["status"], restore=True)


def _status_undo(user, case: Case, before: str) -> None:
    case_set_status(by=user, case_id=case.pk, status=before, restore=True)


# Cells edited in place through the case page's own services.
PRIORITY_EDIT = Edit(
    field=lambda user: forms.ChoiceField(label=_("Priority"), choices=Case.Priority.choices),
    initial=lambda case: case.priority,
    save=lambda user, case, priority: case_update(
        by=user, case_id=case.pk, changes={"priority": priority}
    ),
    permission="service.edit",
)
OWNER_EDIT = Edit(
    field=lambda user: CaseAssignForm().fields["owner"],
    initial=lambda case: case.owner_id,
    save=lambda user, case, owner: case_assign(by=user, case_id=case.pk, owner=owner),
    permission="service.edit",
)


class CaseList(ListDefinition):
    name = "cases"
    label = _("Cases")
    url_name = "service:case_list"
    noun = ngettext_lazy("%(count)s case", "%(count)s cases", "n")
    search_label = _("Reference or subject")
    search_placeholder = _("e.g. C-000123, no signal")
    empty_title = _("No cases yet")
    empty_text = _("Open one from a customer's page or here.")
    columns = [
        Column("reference", _("Reference"), value=attr("reference"), link=True),
        Column("subject", _("Subject"), value=attr("subject")),
        Column("customer", _("Customer"), value=attr("customer.display_name")),
        Column("status", _("Status"), value=chip("status", STATUS_TONES)),
        Column(
            "priority",
            _("Priority"),
            value=chip("priority", PRIORITY_TONES),
            edit=PRIORITY_EDIT,
        ),
        Column("queue", _("Queue"), value=attr("queue.name")),
        Column("owner", _("Owner"), value=person("owner", _("Unassigned")), edit=OWNER_EDIT),
        Column("sla", _("SLA"), value=_sla),
        Column("channel", _("Channel"), value=choice("channel"), default=False),
    ]
    filters = [
        Filter("status", _("Status"), choices=OPEN_CHOICES),
        Filter("priority", _("Priority"), choices=Case.Priority.choices),
        Filter("queue", _("Queue"), choices=_queues),
        Filter("owner", _("Owner"), choices=OWNER_CHOICES),
        Filter("sla", _("SLA"), choices=SLA_CHOICES),
    ]
    sorts = [
        NEWEST,
        OLDEST,
    ]
    default_sort = "newest"
    # Through the services of the case's page: the lifecycle refuses a move it does not
    # allow (closed → open...), row by row, with its message.
    bulk_actions = [
        BulkAction(
            "owner",
            _("Assign agent"),
            field=lambda user: CaseAssignForm().fields["owner"],
            run=lambda user, case, owner: case_assign(by=user, case_id=case.pk, owner=owner),
            before=_owner_before,
            undo=_owner_undo,
            changed_since=_("Reassigned or its status changed since: left as it is."),
            permission="service.edit",
        ),
        BulkAction(
            "status",
            _("Change status"),
            field=_case_status_field,
            run=lambda user, case, status: case_set_status(by=user, case_id=case.pk, status=status),
            before=lambda case: case.status,
            undo=_status_undo,
            changed_since=_("Its status was changed since: left as it is."),
            permission="service.edit",
        ),
    ]
    bulk_export = "customers.export"  # the deployment's one switch for personal data

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.cases_visible_to(user).select_related("customer", "queue", "owner")
        f = state.filters
        if f.get("status") == "open":
            qs = qs.filter(status__in=Case.OPEN_STATUSES)
        elif f.get("status") in Case.Status.values:
            qs = qs.filter(status=f["status"])
        if f.get("priority") in Case.Priority.values:
            qs = qs.filter(priority=f["priority"])
        if (f.get("queue") or "").isdigit():
            qs = qs.filter(queue_id=int(f["queue"]))
        if f.get("owner") == "me":
            qs = qs.filter(owner_id=user.pk)
        elif f.get("owner") == "none":
            qs = qs.filter(owner__isnull=True)
        if f.get("sla") == "breached":
            qs = qs.filter(
                Q(response_escalated_at__isnull=False) | Q(resolution_escalated_at__isnull=False),
                status__in=Case.OPEN_STATUSES,
            )
        elif f.get("sla") == "risk":
            qs = qs.filter(
                sla_warned_at__isnull=False,
                response_escalated_at=None,
                resolution_escalated_at=None,
                status__in=Case.OPEN_STATUSES,
            )
        if state.search:
            text = state.search.strip()
            if text.upper().startswith("C-"):
                qs = qs.filter(reference__iexact=text)
            else:
                qs = qs.filter(subject__icontains=text)
        return qs

    def row_url(self, row: Case) -> str:
        return reverse("service:case_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if permissions.can(user, "service.edit"):
            return reverse("service:case_create"), _("New case")
        return None


CASES = CaseList()
