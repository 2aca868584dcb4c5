"""Call management's lists: the callbacks asked for and the calls taken."""

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.accounts import permissions
from panorama.core.lists import (
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
from ..models import Call, CallbackRequest
from .cases import _queues


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
