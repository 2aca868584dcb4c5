"""The rules as a list (the administrators' screen), for the shared list component."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.accounts import permissions
from panorama.core.lists import Column, Filter, ListDefinition, ListState, Sort, attr
from panorama.core.pagination import Keyset

from .models import Rule
from .selectors import rules_all


def _trigger(row: Rule) -> Any:
    if row.trigger == Rule.Trigger.SCHEDULE and row.schedule_time:
        return _("Every day at %(t)s") % {"t": row.schedule_time.strftime("%H:%M")}
    return row.event


def _status(row: Rule) -> Any:
    if row.active:
        return format_html('<span class="pn-chip pn-chip-success">{}</span>', _("Active"))
    return format_html('<span class="pn-chip pn-chip-warning">{}</span>', _("Paused"))


class RuleList(ListDefinition):
    name = "rules"
    label = _("Business rules")
    url_name = "automation:rule_list"
    noun = ngettext_lazy("%(count)s rule", "%(count)s rules", "n")
    search_label = _("Name")
    search_placeholder = _("e.g. mortgage")
    empty_title = _("No rules yet")
    empty_text = _("A rule turns an event into an alert, a call in the agenda or a webhook.")
    columns = [
        Column("name", _("Name"), value=attr("name"), link=True, sort="name"),
        Column("trigger", _("When"), value=_trigger),
        Column("status", _("Status"), value=_status),
    ]
    filters = [
        Filter("active", _("Status"), choices=[("on", _("Active")), ("off", _("Paused"))]),
    ]
    sorts = [Sort("name", _("Name, A to Z"), Keyset("name", "id", types=(str, int)))]
    default_sort = "name"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = rules_all()
        if state.search:
            qs = qs.filter(name__icontains=state.search)
        active = state.filters.get("active", "")
        if active in ("on", "off"):
            qs = qs.filter(active=active == "on")
        return qs

    def row_url(self, row: Rule) -> str:
        return reverse("automation:rule_edit", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if permissions.can(user, "automation.edit_rules"):
            return reverse("automation:rule_new"), _("New rule")
        return None


RULES = RuleList()
