"""The saved reports as a list (the shared list component)."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.accounts import permissions
from panorama.core.lists import Column, ListDefinition, ListState, Sort, attr
from panorama.core.lists.actions import delete_action
from panorama.core.pagination import Keyset

from ..models import Report
from .catalogue import SOURCES
from .selectors import reports_visible
from .services import report_delete


def _source(row: Report) -> Any:
    source = SOURCES.get(row.source)
    return source.title if source else row.source


class ReportList(ListDefinition):
    name = "reports"
    label = _("Reports")
    url_name = "analytics:report_list"
    noun = ngettext_lazy("%(count)s report", "%(count)s reports", "n")
    search_label = _("Name")
    search_placeholder = _("e.g. revenue")
    empty_title = _("No reports yet")
    empty_text = _("Pick data of the warehouse, group it, add it up and chart it.")
    columns = [
        Column("name", _("Name"), value=attr("name"), link=True, sort="name"),
        Column("source", _("Data"), value=_source),
        Column("owner", _("Owner"), value=lambda r: r.owner.get_full_name() or r.owner.username),
    ]
    sorts = [Sort("name", _("Name, A to Z"), Keyset("name", "id", types=(str, int)))]
    default_sort = "name"
    # report_delete: the right to build reports; a report not his refused with why.
    bulk_actions = [
        delete_action(
            lambda user, report, _value: report_delete(by=user, report=report),
            _("Choose “Delete them for good” to delete the selected reports."),
            permission="analytics.build_reports",
        )
    ]

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = reports_visible(user=user)
        if state.search:
            qs = qs.filter(name__icontains=state.search)
        return qs

    def row_url(self, row: Report) -> str:
        return reverse("analytics:report_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if permissions.can(user, "analytics.build_reports"):
            return reverse("analytics:report_new"), _("New report")
        return None


REPORTS = ReportList()
