"""Drawing a list: its rows by keyset, the bounded total, the HTMX answers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Model, Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import push_url, replace_url

from panorama.core.exceptions import DomainError

from .actions import BulkReport
from .definition import Column, Label, ListDefinition, ListState
from .tabs import Tabs, resolve


def approximate_total(definition: ListDefinition, user: Any, state: ListState) -> tuple[int, str]:
    """(total, how) of the rows matching ``state``; ``how`` is "exact" (counted up to
    ``count_cap`` rows: a bounded query however big the table), "estimate" (beyond the
    cap on PostgreSQL: the planner's estimate through EXPLAIN, no scan) or "more" (beyond
    the cap elsewhere: the cap itself). Cached for a minute per user and filters, and
    asked only when the list is (re)drawn, never for "load more"."""
    key_data = [definition.name, user.pk, state.search, sorted(state.filters.items())]
    key = "pn-list-total:" + hashlib.sha256(json.dumps(key_data).encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached[0], cached[1]
    qs = definition.filtered(user, state)
    total = qs.order_by()[: definition.count_cap + 1].count()
    how = "exact"
    if total > definition.count_cap:
        estimate = _estimate(qs)
        total, how = (estimate, "estimate") if estimate > total else (definition.count_cap, "more")
    cache.set(key, (total, how), 60)
    return total, how


def _estimate(qs: QuerySet) -> int:
    if connection.vendor != "postgresql":
        return 0
    sql, params = qs.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


# --- rendering ---------------------------------------------------------------------


@dataclass
class Cell:
    column: Column
    value: Any
    edit_url: str = ""  # set when the user may edit it in place


@dataclass
class Row:
    pk: Any
    url: str
    cells: list[Cell]
    obj: Any
    label: str = ""  # what the row's checkbox is named after


@dataclass
class BulkMenu:
    """The bulk actions a user may run, each with its parameter's field."""

    actions: list[dict]
    url: str


@dataclass
class Chip:
    label: str
    remove_url: str


@dataclass
class RenderedList:
    """What ``core/list/*.html`` draws."""

    definition: ListDefinition
    state: ListState
    url: str  # the page's canonical URL
    base_url: str  # the list's URL without a query
    columns: list[Column]
    rows: list[Row]
    more_url: str | None
    chips: list[Chip]
    filter_menu: list[dict]
    sorts: list[dict]
    column_menu: list[dict]
    total_text: str = ""
    error: str = ""
    empty_action: tuple[str, Label] | None = None
    tabs: Tabs = field(default_factory=Tabs)
    bulk: BulkMenu | None = None
    report: BulkReport | None = None
    bulk_job: Any = None  # a BulkJob running in the background
    bulk_error: str = ""

    @property
    def query(self) -> str:
        """The list's whole state as a query string (a bulk action draws it again)."""
        return self.state.query(self.definition).lstrip("?")

    @property
    def colspan(self) -> int:
        return len(self.columns) + (1 if self.bulk else 0)

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def filtered(self) -> bool:
        return bool(self.state.search or self.state.filters)

    @property
    def export_url(self) -> str:
        name = self.definition.export_url_name
        return reverse(name) + self.state.query(self.definition, rows=0) if name else ""

    @property
    def clear_url(self) -> str:
        return self.state.url(self.definition, search="", filters={}, rows=0)


def cell_url(definition: ListDefinition, pk: Any, column: Column) -> str:
    return reverse("core:list_cell", args=[definition.name, pk, column.key])


def _rows(
    definition: ListDefinition, columns: list[Column], items: Iterable[Model], user: Any
) -> list[Row]:
    items = list(items)
    lookups: list[str | Prefetch] = []
    for column in columns:
        lookups += [lookup for lookup in column.prefetch if lookup not in lookups]
    if lookups and items:
        prefetch_related_objects(items, *lookups)
    editable = {c.key for c in columns if c.edit is not None and c.edit.allowed(user)}
    link = next((c for c in columns if c.link), None)
    return [
        Row(
            pk=item.pk,
            url=definition.row_url(item),
            cells=[
                Cell(
                    column,
                    column.cell(item),
                    cell_url(definition, item.pk, column) if column.key in editable else "",
                )
                for column in columns
            ],
            obj=item,
            label=str(link.cell(item)) if link else str(item),
        )
        for item in items
    ]


def bulk_menu(definition: ListDefinition, user: Any) -> BulkMenu | None:
    actions = []
    for action in definition.actions():
        if not action.allowed(user):
            continue
        field = action.field(user) if action.field else None
        widget = ""
        if field is not None:
            name = f"value-{action.key}"
            choosing = hasattr(field, "choices")
            attrs = {
                "class": "form-select form-select-sm"
                if choosing
                else "form-control form-control-sm",
                "id": f"{definition.name}-bulk-{action.key}",
            }
            if not choosing and field.label:  # a text to type: say which
                attrs["placeholder"] = str(field.label)
            widget = field.widget.render(name, None, attrs=attrs)
        actions.append({"key": action.key, "label": action.label, "widget": widget})
    if not actions:
        return None
    return BulkMenu(actions=actions, url=reverse("core:list_bulk", args=[definition.name]))


def render_list(
    request: HttpRequest, definition: ListDefinition, data: QueryDict | None = None
) -> RenderedList:
    """The list as ``request`` asks for it (or ``data``, the list's query string after a
    POST): the first ``state.rows`` rows (one page at least), or for "load more" the
    page after ``cursor``."""
    state, tabs = resolve(request, definition, request.GET if data is None else data)
    user = request.user
    columns = definition.shown_columns(state)
    cursor = request.GET.get("cursor", "")
    limit = definition.page_size if cursor else max(state.rows, definition.page_size)
    error, items, next_cursor = "", [], ""
    try:
        page = definition.page(user, state, cursor=cursor, limit=limit)
        items, next_cursor = page.items, page.next_cursor or ""
    except DomainError as exc:
        error = exc.message
    rows = _rows(definition, columns, items, user)
    shown = _shown(request) if cursor else 0
    more_url = None
    if next_cursor:
        url = state.url(definition)
        more = urlencode({"cursor": str(next_cursor), "shown": str(shown + len(rows))})
        more_url = url + ("&" if "?" in url else "?") + more
    chips = []
    for item in definition.filters:
        value = state.filters.get(item.key)
        if not value:
            continue
        labels = dict(item.choices_for(user))
        rest = {k: v for k, v in state.filters.items() if k != item.key}
        chips.append(
            Chip(
                label=f"{item.label}: {labels.get(value, value)}",
                remove_url=state.url(definition, filters=rest, rows=0),
            )
        )
    filter_menu = [
        {
            "key": item.key,
            "label": item.label,
            "value": state.filters.get(item.key, ""),
            "choices": item.choices_for(user),
        }
        for item in definition.filters
    ]
    sorts = [
        {
            "key": s.key,
            "label": s.label,
            "url": state.url(definition, sort=s.key, rows=0),
            "current": s.key == state.sort,
        }
        for s in definition.sorts
    ]
    column_menu = [
        {"key": c.key, "label": c.label, "shown": c.key in state.columns}
        for c in definition.columns
    ]
    return RenderedList(
        definition=definition,
        state=state,
        url=state.url(definition),
        base_url=reverse(definition.url_name),
        columns=columns,
        rows=rows,
        more_url=more_url,
        chips=chips,
        filter_menu=filter_menu,
        sorts=sorts,
        column_menu=column_menu,
        error=error,
        empty_action=definition.empty_action(user),
        tabs=tabs,
        bulk=bulk_menu(definition, user),
    )


def _shown(request: HttpRequest) -> int:
    """How many rows the page already shows ("load more" says so); nonsense counts 0."""
    try:
        return max(0, int(request.GET.get("shown", "0")))
    except ValueError:
        return 0


def header_sort(rendered: RenderedList, column: Column) -> dict | None:
    """The header link of a sortable column: its URL (toggling the direction) and the
    aria-sort of the current order."""
    if not column.sort:
        return None
    keys = {s.key for s in rendered.definition.sorts}
    current = rendered.state.sort
    reverse_key = f"-{column.sort}"
    if current == column.sort:
        target, aria = (reverse_key if reverse_key in keys else column.sort), "ascending"
    elif current == reverse_key:
        target, aria = column.sort, "descending"
    else:
        target, aria = column.sort, "none"
    return {"url": rendered.state.url(rendered.definition, sort=target, rows=0), "aria": aria}


def list_response(
    request: HttpRequest,
    definition: ListDefinition,
    *,
    template: str,
    context: dict | None = None,
) -> HttpResponse:
    """The page (``template``, with ``list`` in its context); for HTMX, the list alone
    (a filter, a sort, a chip) with the canonical URL pushed, or the next rows ("load
    more") with the address bar updated to remember how many rows are loaded."""
    rendered = render_list(request, definition)
    htmx = getattr(request, "htmx", None)
    restoring = htmx and htmx.history_restore_request
    if htmx and not restoring and request.GET.get("cursor"):
        loaded = _shown(request) + len(rendered.rows)
        response = render(request, "core/list/_more.html", {"list": rendered})
        if loaded <= definition.max_rows:
            replace_url(response, rendered.state.url(definition, rows=loaded))
        return response
    rendered.total_text = total_text(definition, request.user, rendered)
    if htmx and not restoring and htmx.target == f"{definition.name}-list":
        response = render(request, "core/list/list.html", {"list": rendered, **(context or {})})
        push_url(response, rendered.url)
        return response
    return render(request, template, {"list": rendered, **(context or {})})


def total_text(definition: ListDefinition, user: Any, rendered: RenderedList) -> str:
    if rendered.error:
        return ""
    if not rendered.more_url and not rendered.state.rows:
        total, how = len(rendered.rows), "exact"  # it all fits on the page: no count
    else:
        total, how = approximate_total(definition, user, rendered.state)
    from panorama.core.templatetags.formatting import number

    text = str(definition.noun % {"n": total, "count": number(total)})
    if how == "estimate":
        return _("About %(total)s") % {"total": text}
    if how == "more":
        return _("More than %(total)s") % {"total": text}
    return text
