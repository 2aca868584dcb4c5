"""The sales scripts as a list (the settings screen), for the shared list component."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.accounts import permissions
from panorama.core.lists import Column, Filter, ListDefinition, ListState, Sort, attr, choice
from panorama.core.pagination import Keyset

from .. import scripts
from ..models import Script


def _stage(row: Script) -> Any:
    return f"{row.stage.pipeline.name} · {row.stage.name}" if row.stage else "—"


def _active(row: Script) -> Any:
    return _("Active") if row.active else _("Inactive")


class ScriptList(ListDefinition):
    name = "scripts"
    label = _("Sales scripts")
    url_name = "sales:script_list"
    noun = ngettext_lazy("%(count)s script", "%(count)s scripts", "n")
    search_label = _("Title")
    search_placeholder = _("e.g. Fibra")
    empty_title = _("No scripts yet")
    empty_text = _("Write the talking points your reps use for a product, a segment or a stage.")
    columns = [
        Column("title", _("Title"), value=attr("title"), link=True, sort="title"),
        Column("product", _("Product"), value=attr("product.name")),
        Column("segment", _("Segment"), value=attr("segment")),
        Column("stage", _("Stage"), value=_stage),
        Column("language", _("Language"), value=choice("language")),
        Column("active", _("Status"), value=_active),
    ]
    filters = [
        Filter("active", _("Status"), choices=[("on", _("Active")), ("off", _("Inactive"))]),
    ]
    sorts = [Sort("title", _("Title, A to Z"), Keyset("title", "id", types=(str, int)))]
    default_sort = "title"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = scripts.scripts_all()
        if state.search:
            qs = qs.filter(title__icontains=state.search)
        active = state.filters.get("active", "")
        if active in ("on", "off"):
            qs = qs.filter(active=active == "on")
        return qs

    def row_url(self, row: Script) -> str:
        return reverse("sales:script_edit", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if permissions.can(user, "sales.configure_pipelines"):
            return reverse("sales:script_new"), _("New script")
        return None


SCRIPTS = ScriptList()
