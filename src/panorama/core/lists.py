"""The shared list: one declaration per list, one set of templates, state in the URL.

An app declares a list once (columns, filters, sorts, where its rows come from) and its
view hands the request to ``list_response``::

    class CustomerList(ListDefinition):
        name = "customers"                       # ids, saved views, cache keys
        url_name = "customers:list"
        noun = ngettext_lazy("%(count)s customer", "%(count)s customers", "n")
        columns = [Column("name", _("Name"), link=True, sort="name"), ...]
        filters = [Filter("status", _("Status"), choices=Customer.Status.choices)]
        sorts = [Sort("name", _("Name A–Z"), Keyset("search_name", "id", types=(str, int)))]

        def filtered(self, user, state):          # scoped selector + filters + search
            ...

    @require_GET
    def customer_list(request):
        return list_response(request, CUSTOMERS, template="customers/list.html")

and its page template includes ``core/list/list.html``. Everything the user chose
(search, filters, sort, columns, saved view, how many rows are loaded) is in the query
string, so a reload or a copied URL shows the same rows. Rows come by keyset
(``core.pagination.Keyset``): "load more" costs the same at row 5,000 as at row 50, and
the total is counted once, bounded and cached (``approximate_total``), never per page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Model, Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import push_url, replace_url

from panorama.core.exceptions import DomainError
from panorama.core.pagination import Keyset, Page

Label = str | Promise
Formatter = Callable[[Any], Any]

# --- formatters: what a cell shows, from its row ------------------------------------


def attr(name: str) -> Formatter:
    """The row's attribute ``name`` (dotted for relations), "—" when empty."""

    def cell(row: Any) -> Any:
        value: Any = row
        for part in name.split("."):
            value = getattr(value, part, None)
            if value is None:
                return "—"
        return value if value != "" else "—"

    return cell


def choice(name: str) -> Formatter:
    """The label of a choices field (``get_<name>_display``)."""
    return lambda row: getattr(row, f"get_{name}_display")() or "—"


def chip(name: str, tones: dict[str, str]) -> Formatter:
    """A choices field as a status chip; ``tones`` maps a value to success, info,
    warning or danger (others are neutral)."""

    def cell(row: Any) -> Any:
        value = getattr(row, name)
        tone = tones.get(value, "")
        return format_html(
            '<span class="pn-chip{}">{}</span>',
            f" pn-chip-{tone}" if tone else "",
            getattr(row, f"get_{name}_display")(),
        )

    return cell


# --- the declaration ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column. ``value`` makes the cell from the row (text or safe HTML; default:
    the attribute ``key``). ``link``: the cell links to the record (the row's link,
    focused again on Back). ``sort``: the key of the ``Sort`` its header toggles (its
    reverse is ``-key`` when declared). ``default``: shown when the URL names no columns.
    ``prefetch``: lookups the page's rows need for this column (one query each, only
    when the column is shown)."""

    key: str
    label: Label
    value: Formatter | None = None
    link: bool = False
    sort: str = ""
    default: bool = True
    numeric: bool = False
    prefetch: tuple[str | Prefetch, ...] = ()

    def cell(self, row: Any) -> Any:
        return (self.value or attr(self.key))(row)


@dataclass(frozen=True)
class Filter:
    """A filter shown as a select in the filter menu and, once chosen, as a chip.
    ``choices``: (value, label) pairs, or a function of the user that returns them."""

    key: str
    label: Label
    choices: Sequence[tuple[str, Label]] | Callable[[Any], Sequence[tuple[str, Label]]]

    def choices_for(self, user: Any) -> list[tuple[str, Label]]:
        return list(self.choices(user) if callable(self.choices) else self.choices)


@dataclass(frozen=True)
class Sort:
    key: str
    label: Label
    keyset: Keyset


@dataclass
class ListState:
    """What the user chose, parsed from and written back to the query string."""

    search: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = ""
    columns: list[str] = field(default_factory=list)
    view: str = ""
    rows: int = 0  # rows loaded so far ("load more"); 0: one page

    def params(self, definition: ListDefinition, **changes: Any) -> list[tuple[str, str]]:
        """The canonical query parameters (defaults left out), with ``changes``."""
        state = ListState(**{**vars(self), **changes})
        params: list[tuple[str, str]] = []
        if state.view:
            params.append(("view", state.view))
        if state.search:
            params.append(("q", state.search))
        for item in definition.filters:
            if state.filters.get(item.key):
                params.append((item.key, state.filters[item.key]))
        if state.sort and state.sort != definition.default_sort:
            params.append(("sort", state.sort))
        if state.columns and state.columns != definition.default_columns():
            params.append(("cols", ",".join(state.columns)))
        if state.rows > definition.page_size:
            params.append(("rows", str(state.rows)))
        return params

    def url(self, definition: ListDefinition, **changes: Any) -> str:
        params = self.params(definition, **changes)
        return reverse(definition.url_name) + ("?" + urlencode(params) if params else "")

    def query(self, definition: ListDefinition, **changes: Any) -> str:
        """The query string alone (for another URL that takes the same state: exports)."""
        params = self.params(definition, **changes)
        return "?" + urlencode(params) if params else ""


class ListDefinition:
    """Subclass once per list; see the module's docstring."""

    name: str = ""
    url_name: str = ""
    # ngettext_lazy("%(count)s customer", "%(count)s customers", "n"): the total's words
    noun: Any = None
    columns: Sequence[Column] = ()
    filters: Sequence[Filter] = ()
    sorts: Sequence[Sort] = ()
    default_sort: str = ""
    label: Label = ""
    search_label: Label | None = None  # None: no search box
    export_url_name: str = ""  # a CSV export taking the same query string, if any
    search_placeholder: Label = ""
    empty_title: Label = ""
    empty_text: Label = ""
    page_size = 50
    max_rows = 1000  # "load more" remembered in the URL up to this many rows
    count_cap = 10_000  # counted exactly up to here, estimated beyond

    # -- what the app provides ------------------------------------------------------

    def filtered(self, user: Any, state: ListState) -> QuerySet:
        """The rows ``user`` may see that match ``state`` (search and filters), from
        the app's scoped selector. Unordered: the sort is applied here."""
        raise NotImplementedError

    def page(self, user: Any, state: ListState, *, cursor: str, limit: int) -> Page:
        """One page in the chosen order. Override when the app's selector pages by
        itself (the customer search)."""
        return self.sort_for(state).keyset.page(
            self.filtered(user, state), cursor=cursor, limit=limit
        )

    def row_url(self, row: Any) -> str:
        return row.get_absolute_url()

    def empty_action(self, user: Any) -> tuple[str, Label] | None:
        """(url, label) of the primary action offered when the list is empty."""
        return None

    # -- the machinery -------------------------------------------------------------

    def default_columns(self) -> list[str]:
        return [c.key for c in self.columns if c.default]

    def sort_for(self, state: ListState) -> Sort:
        by_key = {s.key: s for s in self.sorts}
        return by_key.get(state.sort) or by_key[self.default_sort]

    def state_from(self, data: QueryDict) -> ListState:
        """The state a query string asks for; what is unknown or malformed is left at
        its default (a stale bookmark still opens the list)."""
        filters = {}
        for item in self.filters:
            value = data.get(item.key, "").strip()
            if value:
                filters[item.key] = value[:100]
        known = {c.key for c in self.columns}
        chosen: list[str] = []
        for raw in data.getlist("cols"):
            chosen += [k for k in raw.split(",") if k in known and k not in chosen]
        sort = data.get("sort", "")
        try:
            rows = int(data.get("rows", "0"))
        except ValueError:
            rows = 0
        rows = max(0, min(rows, self.max_rows))
        return ListState(
            search=data.get("q", "").replace("\x00", "").strip()[:200],
            filters=filters,
            sort=sort if sort in {s.key for s in self.sorts} else self.default_sort,
            columns=chosen or self.default_columns(),
            view=data.get("view", "")[:20],
            rows=rows,
        )

    def shown_columns(self, state: ListState) -> list[Column]:
        by_key = {c.key: c for c in self.columns}
        return [by_key[k] for k in state.columns if k in by_key]


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
class Row:
    pk: Any
    url: str
    cells: list[tuple[Column, Any]]
    obj: Any


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
    extra: dict = field(default_factory=dict)

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


def _rows(definition: ListDefinition, columns: list[Column], items: Iterable[Model]) -> list[Row]:
    items = list(items)
    lookups: list[str | Prefetch] = []
    for column in columns:
        lookups += [lookup for lookup in column.prefetch if lookup not in lookups]
    if lookups and items:
        prefetch_related_objects(items, *lookups)
    return [
        Row(
            pk=item.pk,
            url=definition.row_url(item),
            cells=[(column, column.cell(item)) for column in columns],
            obj=item,
        )
        for item in items
    ]


def render_list(
    request: HttpRequest, definition: ListDefinition, state: ListState | None = None
) -> RenderedList:
    """The list as ``request`` asks for it: the first ``state.rows`` rows (one page at
    least), or for "load more" the page after ``cursor``."""
    state = state or definition.state_from(request.GET)
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
    rows = _rows(definition, columns, items)
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
    rendered.total_text = _total_text(definition, request.user, rendered)
    if htmx and not restoring and htmx.target == f"{definition.name}-list":
        response = render(request, "core/list/list.html", {"list": rendered, **(context or {})})
        push_url(response, rendered.url)
        return response
    return render(request, template, {"list": rendered, **(context or {})})


def _total_text(definition: ListDefinition, user: Any, rendered: RenderedList) -> str:
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
