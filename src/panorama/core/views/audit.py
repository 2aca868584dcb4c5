"""The audit log as a staff screen: who did what, when, to which record; read only,
newest first, by keyset (the log only grows), filtered by kind, user and period."""

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_GET

from panorama.accounts.permissions import ensure_can
from panorama.core.lists import Column, Filter, ListDefinition, ListState, Sort, choice
from panorama.core.pagination import Keyset

from ..models import AuditEvent
from ..selectors import audit_events, audit_events_filter

PERIODS = {"1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}
# The detail keys that name the record a line is about, first found wins.
RECORD_KEYS = ("target", "token", "name", "list", "file")


def _record(event: AuditEvent) -> Any:
    detail = event.detail if isinstance(event.detail, dict) else {}
    return next((str(detail[k]) for k in RECORD_KEYS if detail.get(k)), "—")


def _detail(event: AuditEvent) -> Any:
    detail = event.detail if isinstance(event.detail, dict) else {}
    items = [(k, v) for k, v in detail.items() if k not in RECORD_KEYS and k != "target_id"]
    if not items:
        return "—"
    return format_html_join(
        " ", '<span class="text-body-secondary">{}:</span> {}', ((k, _short(v)) for k, v in items)
    )


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


class AuditList(ListDefinition):
    name = "staff-audit"
    label = _("Audit log")
    url_name = "staff:audit_log"
    noun = ngettext_lazy("%(count)s event", "%(count)s events", "n")
    search_label = _("Username")
    empty_title = _("Nothing recorded yet")
    empty_text = _("Sign-ins, exports, tokens and administration changes are recorded here.")
    columns = [
        Column(
            "at", _("When"), value=lambda e: date_format(localtime(e.at), "SHORT_DATETIME_FORMAT")
        ),
        Column("who", _("Who"), value=lambda e: e.username or "—"),
        Column("kind", _("What"), value=choice("kind")),
        Column("record", _("Record"), value=_record),
        Column("detail", _("Detail"), value=_detail),
        Column("ip", _("IP address"), value=lambda e: e.ip_address or "—", default=False),
    ]
    filters = [
        Filter("kind", _("What"), choices=AuditEvent.Kind.choices),
        Filter(
            "period",
            _("When"),
            choices=[
                ("1d", _("Last 24 hours")),
                ("7d", _("Last 7 days")),
                ("30d", _("Last 30 days")),
            ],
        ),
    ]
    sorts = [Sort("newest", _("Newest first"), Keyset("-id", types=(int,)))]
    default_sort = "newest"

    def filtered(self, user, state: ListState) -> QuerySet:
        period = PERIODS.get(state.filters.get("period", ""))
        return audit_events_filter(
            audit_events(by=user),
            kind=state.filters.get("kind", ""),
            username=state.search,
            since=None if period is None else timezone.now() - period,
        )

    def row_url(self, row: AuditEvent) -> str:
        return ""  # read only: no page of its own


AUDIT = AuditList()


@require_GET
def audit_log(request):
    from panorama.accounts.views.staff import staff_list_page

    ensure_can(request.user, "core.read_audit")
    return staff_list_page(
        request,
        AUDIT,
        current="audit",
        title=_("Audit log"),
        subtitle=_("Who did what and when: sign-ins, exports, tokens, users, teams, fields."),
        new=None,
    )
