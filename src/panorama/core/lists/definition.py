"""The declaration of a list: its columns, filters, sorts and the state a URL carries
(see the package's docstring)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from panorama.core.exceptions import NotFound
from panorama.core.pagination import Keyset, Page

from .actions import BulkAction, Edit

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
    when the column is shown). ``annotate``: (name, expression) pairs added to the
    rows' own query when the column is shown (a correlated subquery: no extra query)."""

    key: str
    label: Label
    value: Formatter | None = None
    link: bool = False
    sort: str = ""
    default: bool = True
    numeric: bool = False
    prefetch: tuple[str | Prefetch, ...] = ()
    edit: Edit | None = None  # editable in place (core.lists.actions.Edit)
    annotate: tuple[tuple[str, Any], ...] = ()

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


# Every list declared, by name: saved views name the list they belong to.
LISTS: dict[str, ListDefinition] = {}


def column_add(list_name: str, column: Column) -> None:
    """Offer ``column`` in the *Columns* menu of the list ``list_name``, from an app the
    list's own app may not import (channels' last contact on the customer list); once,
    whatever the reloads. The list must be made first (its app earlier in
    INSTALLED_APPS)."""
    definition = LISTS[list_name]
    if all(c.key != column.key for c in definition.columns):
        definition.columns = [*definition.columns, column]


class ListDefinition:
    """Subclass once per list and make one instance; see the package's docstring."""

    def __init__(self) -> None:
        LISTS[self.name] = self

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
    bulk_actions: Sequence[BulkAction] = ()
    # The permission to export the selection (CSV and XLSX bulk actions of the shown
    # columns, core.lists.export); "" offers no export.
    bulk_export: str = ""
    # Relations the rows of a bulk action or an export load with them (no per-row query).
    row_related: Sequence[str] = ()
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
            self.filtered(user, state).annotate(**self.annotations(state)),
            cursor=cursor,
            limit=limit,
        )

    def row_url(self, row: Any) -> str:
        return row.get_absolute_url()

    def row_get(self, user: Any, pk: int) -> Any:
        """One row ``user`` may see (inline edit), else the app's NotFound."""
        row = self.filtered(user, ListState()).filter(pk=pk).first()
        if row is None:
            raise NotFound(_("This record does not exist or is not visible to you."))
        return row

    def empty_action(self, user: Any) -> tuple[str, Label] | None:
        """(url, label) of the primary action offered when the list is empty."""
        return None

    # -- the machinery -------------------------------------------------------------

    def actions(self) -> list[BulkAction]:
        """The bulk actions: the list's own, those other apps added, then the exports."""
        from .actions import EXTRA_ACTIONS
        from .export import export_actions

        found = [*self.bulk_actions, *EXTRA_ACTIONS.get(self.name, ())]
        if self.bulk_export:
            found += export_actions(self.bulk_export)
        return found

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

    def annotations(self, state: ListState) -> dict[str, Any]:
        """What the shown columns add to the rows' query (``Column.annotate``)."""
        return {k: e for c in self.shown_columns(state) for k, e in c.annotate}

    def shown_columns(self, state: ListState) -> list[Column]:
        by_key = {c.key: c for c in self.columns}
        return [by_key[k] for k in state.columns if k in by_key]
