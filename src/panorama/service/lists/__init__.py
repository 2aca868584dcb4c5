"""The agents' case queue, declared once for the shared list component (core/lists/):
my cases, a queue, the unassigned ones, as chips (status, priority, queue, owner)."""

from typing import Any

from django import forms
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.accounts import permissions
from panorama.accounts.models import User
from panorama.core.exceptions import Conflict
from panorama.core.lists import (
    BulkAction,
    Column,
    Filter,
    ListDefinition,
    ListState,
    Sort,
    attr,
    chip,
    choice,
)
from panorama.core.pagination import Keyset

from .. import selectors
from ..forms import CaseAssignForm
from ..models import Call, CallbackRequest, Case, Defect, Queue
from ..services.case import case_assign, case_set_status

PRIORITY_TONES = {"urgent": "danger", "high": "warning", "low": "secondary"}
STATUS_TONES = {"new": "info", "waiting": "secondary", "resolved": "success", "reopened": "warning"}


def _owner(case: Case) -> Any:
    owner = case.owner
    return (owner.get_full_name() or owner.username) if owner else _("Unassigned")


def _sla(case: Case) -> Any:
    """The flag the sweep left: breached (escalated) or at risk (warned), while open."""
    if not case.is_open:
        return "—"
    if case.response_escalated_at or case.resolution_escalated_at:
        return format_html('<span class="pn-chip pn-chip-danger">{}</span>', _("Breached"))
    if case.sla_warned_at:
        return format_html('<span class="pn-chip pn-chip-warning">{}</span>', _("At risk"))
    return "—"


def _queues(user) -> list[tuple[str, str]]:
    return [
        (str(pk), name)
        for pk, name in Queue.objects.filter(active=True).order_by("name").values_list("pk", "name")
    ]


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
        Column("priority", _("Priority"), value=chip("priority", PRIORITY_TONES)),
        Column("queue", _("Queue"), value=attr("queue.name")),
        Column("owner", _("Owner"), value=_owner),
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
        Sort("newest", _("Newest first"), Keyset("-id", types=(int,))),
        Sort("oldest", _("Oldest first"), Keyset("id", types=(int,))),
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


# --- callbacks (call management) ---------------------------------------------------------


def _window(callback) -> Any:
    from django.utils.formats import date_format
    from django.utils.timezone import localtime

    start, end = localtime(callback.window_start), localtime(callback.window_end)
    until = (
        date_format(end, "TIME_FORMAT")
        if start.date() == end.date()
        else date_format(end, "SHORT_DATETIME_FORMAT")
    )
    return f"{date_format(start, 'SHORT_DATETIME_FORMAT')} – {until}"


def _callback_phone(callback) -> Any:
    from panorama.core.templatetags.formatting import phone

    return format_html('<a href="tel:{}">{}</a>', callback.phone, phone(callback.phone))


def _callback_flag(callback) -> Any:
    if callback.status == "open" and callback.escalated_at:
        return format_html('<span class="pn-chip pn-chip-danger">{}</span>', _("Overdue"))
    return "—"


def _assignee(callback) -> Any:
    user = callback.assigned_to
    return (user.get_full_name() or user.username) if user else _("Unassigned")


CALLBACK_STATUS_TONES = {"open": "info", "done": "success", "cancelled": "secondary"}
CALLBACK_OWNER_CHOICES = [("me", _("Mine")), ("none", _("Unassigned"))]


class CallbackList(ListDefinition):
    name = "callbacks"
    label = _("Callbacks")
    url_name = "service:callback_list"
    noun = ngettext_lazy("%(count)s callback", "%(count)s callbacks", "n")
    search_label = _("Name or phone")
    empty_title = _("No callbacks to make")
    empty_text = _("Requests from the web form, the phone menu and agents land here.")
    columns = [
        Column("window", _("When"), value=_window, link=True),
        Column(
            "name",
            _("Who"),
            value=lambda c: c.name or (c.customer.display_name if c.customer else "—"),
        ),
        Column("phone", _("Phone"), value=_callback_phone),
        Column("reason", _("Reason"), value=attr("reason")),
        Column("source", _("Source"), value=choice("source")),
        Column("status", _("Status"), value=chip("status", CALLBACK_STATUS_TONES)),
        Column("assigned", _("Assigned to"), value=_assignee),
        Column("flag", _("Escalated"), value=_callback_flag),
        Column("queue", _("Queue"), value=attr("queue.name"), default=False),
    ]
    filters = [
        Filter("status", _("Status"), choices=CallbackRequest.Status.choices),
        Filter("owner", _("Assigned to"), choices=CALLBACK_OWNER_CHOICES),
        Filter("queue", _("Queue"), choices=_queues),
    ]
    sorts = [
        Sort("oldest", _("Oldest requests first"), Keyset("id", types=(int,))),
        Sort("newest", _("Newest requests first"), Keyset("-id", types=(int,))),
    ]
    default_sort = "oldest"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.callbacks_visible_to(user).select_related("customer", "queue", "assigned_to")
        f = state.filters
        status = f.get("status") or "open"
        qs = qs.filter(status=status) if status in ("open", "done", "cancelled") else qs
        if f.get("owner") == "me":
            qs = qs.filter(assigned_to_id=user.pk)
        elif f.get("owner") == "none":
            qs = qs.filter(assigned_to__isnull=True)
        if (f.get("queue") or "").isdigit():
            qs = qs.filter(queue_id=int(f["queue"]))
        if state.search:
            text = state.search.strip()
            qs = qs.filter(Q(name__icontains=text) | Q(phone__contains=text.replace(" ", "")))
        return qs

    def row_url(self, row) -> str:
        return reverse("service:callback_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if permissions.can(user, "service.edit"):
            return reverse("service:callback_create"), _("New callback")
        return None


CALLBACKS = CallbackList()


# --- defects (quality) -----------------------------------------------------------------------

DEFECT_STATUS_TONES = {
    "new": "info",
    "confirmed": "warning",
    "fixed": "success",
    "rejected": "secondary",
}
SEVERITY_TONES = {"critical": "danger", "major": "warning", "minor": "secondary"}
DEFECT_OPEN_CHOICES = [("open", _("Open (new or confirmed)")), *Defect.Status.choices]


def _products(user) -> list[tuple[str, str]]:
    from panorama.catalog.models import Product

    ids = Defect.objects.order_by().values("product_id").distinct()
    return [
        (str(pk), name)
        for pk, name in Product.objects.filter(pk__in=ids)
        .order_by("name")
        .values_list("pk", "name")
    ]


class DefectList(ListDefinition):
    name = "defects"
    label = _("Defects")
    url_name = "service:defect_list"
    noun = ngettext_lazy("%(count)s defect", "%(count)s defects", "n")
    search_label = _("Reference, title or component")
    search_placeholder = _("e.g. D-000012, battery")
    empty_title = _("No defects recorded")
    empty_text = _(
        "Record a fault found in a product, from here or from the case that revealed it."
    )
    columns = [
        Column("reference", _("Reference"), value=attr("reference"), link=True),
        Column("title", _("Title"), value=attr("title")),
        Column("product", _("Product"), value=attr("product.name")),
        Column("version", _("Version"), value=attr("version")),
        Column("component", _("Component"), value=attr("component")),
        Column("severity", _("Severity"), value=chip("severity", SEVERITY_TONES)),
        Column("status", _("Status"), value=chip("status", DEFECT_STATUS_TONES)),
        Column("cases", _("Cases"), value=attr("case_count")),
        Column("found_on", _("Found on"), value=attr("found_on"), default=False),
    ]
    filters = [
        Filter("status", _("Status"), choices=DEFECT_OPEN_CHOICES),
        Filter("severity", _("Severity"), choices=Defect.Severity.choices),
        Filter("product", _("Product"), choices=_products),
    ]
    sorts = [
        Sort("newest", _("Newest first"), Keyset("-id", types=(int,))),
        Sort("oldest", _("Oldest first"), Keyset("id", types=(int,))),
    ]
    default_sort = "newest"

    def filtered(self, user, state: ListState) -> QuerySet:
        from ..selectors.defects import defects_filtered

        f = state.filters
        status = f.get("status") or ""
        qs = defects_filtered(
            product_id=int(f["product"]) if (f.get("product") or "").isdigit() else None,
            status=status if status in Defect.Status.values else "",
            severity=f.get("severity", "") if f.get("severity") in Defect.Severity.values else "",
            open_only=status == "open",
        )
        if state.search:
            text = state.search.strip()
            if text.upper().startswith("D-"):
                qs = qs.filter(reference__iexact=text)
            else:
                qs = qs.filter(Q(title__icontains=text) | Q(component__icontains=text))
        return qs

    def row_url(self, row) -> str:
        return reverse("service:defect_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if permissions.can(user, "service.edit"):
            return reverse("service:defect_create"), _("Record a defect")
        return None


DEFECTS = DefectList()


# --- calls (call management) -----------------------------------------------------------------


def _call_who(call) -> Any:
    if call.customer_id:
        return call.customer.display_name
    from panorama.core.templatetags.formatting import phone

    number = call.caller_number if call.direction == "in" else call.dialled_number
    return phone(number) if number else _("Unknown")


def _call_agent(call) -> Any:
    agent = call.agent
    return (agent.get_full_name() or agent.username) if agent else (call.extension or "—")


def _call_duration(call) -> Any:
    from panorama.core.templatetags.formatting import duration

    return duration(call.duration_seconds) if call.duration_seconds is not None else "—"


def _call_case(call) -> Any:
    if not call.case_id:
        return "—"
    return format_html(
        '<a href="{}">{}</a>',
        reverse("service:case_detail", args=[call.case_id]),
        call.case.reference,
    )


CALL_OWNER_CHOICES = [("me", _("My calls"))]


class CallList(ListDefinition):
    name = "calls"
    label = _("Calls")
    url_name = "service:call_list"
    noun = ngettext_lazy("%(count)s call", "%(count)s calls", "n")
    search_label = _("Number")
    search_placeholder = _("e.g. 600 11 22 33")
    empty_title = _("No calls yet")
    empty_text = _("Calls the phone system reports, and the ones placed from Panorama, land here.")
    columns = [
        Column("started", _("Started"), value=attr("started_at"), link=True),
        Column("direction", _("Direction"), value=choice("direction")),
        Column("who", _("Who"), value=_call_who),
        Column("agent", _("Agent"), value=_call_agent),
        Column("status", _("Status"), value=choice("status")),
        Column("duration", _("Duration"), value=_call_duration),
        Column("outcome", _("Outcome"), value=choice("outcome")),
        Column("case", _("Case"), value=_call_case),
        Column("wrap_up", _("Wrap-up code"), value=attr("wrap_up_code"), default=False),
    ]
    filters = [
        Filter("direction", _("Direction"), choices=Call.Direction.choices),
        Filter("outcome", _("Outcome"), choices=Call.Outcome.choices),
        Filter("owner", _("Agent"), choices=CALL_OWNER_CHOICES),
    ]
    sorts = [
        Sort("newest", _("Newest first"), Keyset("-id", types=(int,))),
        Sort("oldest", _("Oldest first"), Keyset("id", types=(int,))),
    ]
    default_sort = "newest"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.calls_visible_to(user).select_related("customer", "agent", "case")
        f = state.filters
        if f.get("direction") in Call.Direction.values:
            qs = qs.filter(direction=f["direction"])
        if f.get("outcome") in Call.Outcome.values:
            qs = qs.filter(outcome=f["outcome"])
        if f.get("owner") == "me":
            qs = qs.filter(agent_id=user.pk)
        if state.search:
            digits = "".join(ch for ch in state.search if ch.isdigit())
            if digits:
                qs = qs.filter(
                    Q(caller_number__contains=digits) | Q(dialled_number__contains=digits)
                )
        return qs

    def row_url(self, row) -> str:
        """The customer's ficha; an unknown caller's calls: his other calls."""
        if row.customer_id:
            return reverse("customers:detail", args=[row.customer_id])
        number = row.caller_number if row.direction == "in" else row.dialled_number
        return reverse("service:call_list") + "?" + urlencode({"q": number})


CALLS = CallList()
