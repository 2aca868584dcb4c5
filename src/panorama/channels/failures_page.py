"""The "Failed messages" page: every message that did not go out, on any channel, of the
customers the user sees (the shared list, filtered by channel, period and whether it
was sent again), with *Retry* as the list's bulk action and on each row's timeline
entry (``failures.failure_retry``: the channel's own service)."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.decorators.http import require_GET, require_POST

from panorama.core.exceptions import DomainError
from panorama.core.lists import BulkAction, Column, Filter, ListDefinition, ListState, Sort
from panorama.core.lists.render import list_response

from .failures import (
    NEWEST_FIRST,
    failure_retry,
    failures_filter,
    failures_visible_to,
    reason_shown,
    sender_label,
    sending,
)
from .models import Interaction
from .templatetags.timeline import failure_reason

PERIODS = {
    "1d": timedelta(days=1),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
}
CHANNELS = [
    (c.value, c.label)
    for c in (
        Interaction.Channel.EMAIL,
        Interaction.Channel.SMS,
        Interaction.Channel.CHAT,
        Interaction.Channel.FAX,
    )
]


def _state(row: Interaction) -> Any:
    meta = row.metadata or {}
    if sending(row):
        return format_html('<span class="pn-chip pn-chip-info">{}</span>', _("Being sent again"))
    if "retried_at" not in meta:
        return format_html('<span class="pn-chip pn-chip-danger">{}</span>', _("Not sent"))
    if meta.get("retried_as"):
        return format_html('<span class="pn-chip pn-chip-success">{}</span>', _("Sent again"))
    return format_html('<span class="pn-chip pn-chip-warning">{}</span>', _("Failed again"))


def _when(row: Interaction) -> str:
    return date_format(localtime(row.occurred_at), "SHORT_DATETIME_FORMAT")


def _reason(row: Interaction) -> Any:
    """The start of the server's answer; a longer one opens to the whole of it."""
    return render_to_string("channels/_failure_reason.html", failure_reason(row))


class FailedList(ListDefinition):
    name = "failed-messages"
    label = gettext_lazy("Failed messages")
    url_name = "channels:failed_list"
    noun = ngettext_lazy("%(count)s failed message", "%(count)s failed messages", "n")
    search_label = None
    empty_title = gettext_lazy("No failed messages")
    empty_text = gettext_lazy(
        "E-mails, texts and faxes that the server or the provider refused are listed here."
    )
    columns = [
        Column("subject", gettext_lazy("Message"), value=lambda r: r.subject, link=True),
        Column("customer", gettext_lazy("Customer"), value=lambda r: r.customer.display_name),
        Column("channel", gettext_lazy("Channel"), value=lambda r: r.get_channel_display()),
        Column("when", gettext_lazy("When"), value=_when),
        Column("reason", gettext_lazy("Reason"), value=_reason),
        Column("sender", gettext_lazy("Sent by"), value=sender_label),
        Column("state", gettext_lazy("Status"), value=_state),
    ]
    filters = [
        Filter("channel", gettext_lazy("Channel"), choices=CHANNELS),
        Filter(
            "period",
            gettext_lazy("When"),
            choices=[
                ("1d", gettext_lazy("Last 24 hours")),
                ("7d", gettext_lazy("Last 7 days")),
                ("30d", gettext_lazy("Last 30 days")),
                ("90d", gettext_lazy("Last 90 days")),
            ],
        ),
        Filter(
            "state",
            gettext_lazy("Status"),
            choices=[
                ("waiting", gettext_lazy("Not sent again")),
                ("retried", gettext_lazy("Sent again")),
            ],
        ),
    ]
    sorts = [Sort("newest", gettext_lazy("Newest first"), NEWEST_FIRST)]
    default_sort = "newest"
    bulk_actions = [
        BulkAction(
            "retry",
            gettext_lazy("Retry"),
            run=lambda user, row, _value: failure_retry(by=user, interaction_id=row.pk),
            permission="channels.send",
        )
    ]

    def filtered(self, user, state: ListState) -> QuerySet:
        period = PERIODS.get(state.filters.get("period", ""))
        channel = state.filters.get("channel", "")
        return failures_filter(
            failures_visible_to(user),
            channel=channel if channel in dict(CHANNELS) else "",
            since=None if period is None else timezone.now() - period,
            state=state.filters.get("state", ""),
        )

    def row_url(self, row: Interaction) -> str:
        url = reverse("customers:detail", args=[row.customer_id])
        return f"{url}?channel={row.channel}#interaction-{row.pk}"


FAILED = FailedList()


@require_GET
def failed_list(request):
    return list_response(request, FAILED, template="channels/failed_list.html")


@require_POST
def failed_retry(request, interaction_id: int):
    """Retry one failed message (the button on its timeline entry); back to ``next``."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("channels:failed_list")
    try:
        failure_retry(by=request.user, interaction_id=interaction_id)
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise  # the error page (core.middleware), as every page
        # Refused again (the whole answer is on the new failed entry), or already sent.
        messages.error(request, reason_shown(str(exc.message))[0])
    else:
        messages.success(request, _("The message was sent again."))
    return redirect(target)
