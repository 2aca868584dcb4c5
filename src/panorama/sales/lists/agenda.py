"""The agenda items as a list (every item the user sees: a manager's whole team), for
the shared list component."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.core.lists import Column, Filter, ListDefinition, ListState, Sort, attr, chip, choice

from .. import agenda
from ..models import Activity

STATUS_TONES = {"planned": "info", "done": "success", "cancelled": "danger"}


def _owner(row: Activity) -> Any:
    return row.owner.get_full_name() or row.owner.username


def _when(row: Activity) -> Any:
    return formats.date_format(timezone.localtime(row.starts_at), "SHORT_DATETIME_FORMAT")


def _owners(user) -> list[tuple[str, str]]:
    return [(str(u.pk), u.get_full_name() or u.username) for u in agenda.agenda_users(user)[:200]]


class ActivityList(ListDefinition):
    name = "activities"
    label = _("Agenda items")
    url_name = "sales:activity_list"
    noun = ngettext_lazy("%(count)s agenda item", "%(count)s agenda items", "n")
    search_label = _("Subject")
    search_placeholder = _("e.g. Renovación")
    empty_title = _("Nothing on the agenda")
    empty_text = _("Plan a call, a visit, a meeting or a task.")
    columns = [
        Column("when", _("When"), value=_when, sort="soonest"),
        Column("subject", _("Subject"), value=attr("subject"), link=True),
        Column("kind", _("Kind"), value=choice("kind")),
        Column("status", _("Status"), value=chip("status", STATUS_TONES)),
        Column("customer", _("Customer"), value=attr("customer.display_name")),
        Column("owner", _("Agenda of"), value=_owner),
        Column("outcome", _("Outcome"), value=attr("outcome"), default=False),
    ]
    filters = [
        Filter("status", _("Status"), choices=Activity.Status.choices),
        Filter("kind", _("Kind"), choices=Activity.Kind.choices),
        Filter("owner", _("Agenda of"), choices=_owners),
    ]
    sorts = [
        Sort("latest", _("Latest first"), agenda.LATEST_FIRST),
        Sort("soonest", _("Earliest first"), agenda.BY_TIME),
    ]
    default_sort = "latest"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = agenda.activities_visible_to(user).select_related("owner", "customer")
        if state.search:
            qs = qs.filter(subject__icontains=state.search)
        status = state.filters.get("status", "")
        if status in Activity.Status.values:
            qs = qs.filter(status=status)
        kind = state.filters.get("kind", "")
        if kind in Activity.Kind.values:
            qs = qs.filter(kind=kind)
        owner = state.filters.get("owner", "")
        if owner.isdigit() and len(owner) < 18:
            qs = qs.filter(owner_id=int(owner))
        return qs

    def row_url(self, row: Activity) -> str:
        return reverse("sales:activity_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        return reverse("sales:activity_new"), _("Plan")


ACTIVITIES = ActivityList()
