"""Pieces several lists declare alike, written once: a record's *active* flag (its chip,
its filter's value, its bulk *Activate or deactivate* and its edit in place through the
app's own service), a
person's name in a cell, an id read from a filter, and the usual sorts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from panorama.core.pagination import Keyset

from .actions import BulkAction, Edit
from .definition import Sort

if TYPE_CHECKING:
    from .definition import Formatter, Label, ListState

# The sorts most lists offer, by name and by when the row was made.
BY_NAME = Sort("name", _("Name, A to Z"), Keyset("name", "id", types=(str, int)))
BY_NAME_DESC = Sort("-name", _("Name, Z to A"), Keyset("-name", "-id", types=(str, int)))
NEWEST = Sort("newest", _("Newest first"), Keyset("-id", types=(int,)))
OLDEST = Sort("oldest", _("Oldest first"), Keyset("id", types=(int,)))

# The choices of an "active" filter (and of the bulk action's select).
ACTIVE_CHOICES = [("on", _("Active")), ("off", _("Inactive"))]


def active_chip(inactive: Label | None = None) -> Formatter:
    """The row's ``active`` as a chip: green *Active*, neutral ``inactive`` (default
    *Inactive*)."""

    def cell(row: Any) -> Any:
        if row.active:
            return format_html('<span class="pn-chip pn-chip-success">{}</span>', _("Active"))
        return format_html('<span class="pn-chip">{}</span>', inactive or _("Inactive"))

    return cell


def active_value(state: ListState, key: str = "active") -> bool | None:
    """The filter ``key`` as True ("on"), False ("off") or None (anything else)."""
    return {"on": True, "off": False}.get(state.filters.get(key, ""))


def id_value(state: ListState, key: str) -> int | None:
    """The filter ``key`` as a record id, or None when it is not one."""
    value = state.filters.get(key, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def named_choices(qs: QuerySet) -> list[tuple[str, Any]]:
    """The records of ``qs`` as a filter's choices: (id, name), by name, in one query."""
    return [(str(pk), name) for pk, name in qs.order_by("name").values_list("pk", "name")]


def _active_field(user: Any) -> forms.Field:
    return forms.TypedChoiceField(
        label=_("Status"), choices=ACTIVE_CHOICES, coerce=lambda value: value == "on"
    )


def active_toggle(run: Callable[[Any, Any, bool], Any], *, permission: str) -> BulkAction:
    """*Activate or deactivate*: the user picks one, and ``run(user, row, active)`` saves
    it row by row through the app's service (which checks ``permission`` again)."""
    return BulkAction(
        "active",
        _("Activate or deactivate"),
        field=_active_field,
        run=run,
        permission=permission,
    )


def active_edit(save: Callable[[Any, Any, bool], Any], *, permission: str) -> Edit:
    """The *active* flag edited in place (Active or Inactive), saved by
    ``save(user, row, active)``: the app's own service, which checks ``permission`` again."""
    return Edit(
        field=_active_field,
        initial=lambda row: "on" if row.active else "off",
        save=save,
        permission=permission,
    )


def person(name: str, nobody: Label = "—") -> Formatter:
    """The user in the row's attribute ``name``: full name, else username, else ``nobody``."""

    def cell(row: Any) -> Any:
        user = getattr(row, name)
        return (user.get_full_name() or user.username) if user else nobody

    return cell
