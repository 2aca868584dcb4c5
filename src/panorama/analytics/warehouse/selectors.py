"""Reads of the warehouse for the UI, scoped to what the user may see.

The scope is the customers app's rule (``customers.selectors.teams_in_scope``): a rep
sees the rows of the customers he owns or his teams hold, a manager those of the teams
he manages (two levels down), service, marketing, analysts and administrators every
row. Every mart and every drill-down carries the customer's current owner and team,
and every query here goes through ``scope``."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from panorama.accounts.models import Team, User
from panorama.core.exceptions import NotFound, PermissionDenied
from panorama.customers.selectors import teams_in_scope

from . import dashboards, engine
from .dashboards import Widget

PERIODS = (3, 6, 12, 24)
DEFAULT_PERIOD = 12


def scope(user: User, alias: str = "") -> tuple[str, list[Any]]:
    """SQL condition and parameters keeping the rows of customers ``user`` may see."""
    teams = teams_in_scope(user)
    if teams is None:
        return "TRUE", []
    prefix = f"{alias}." if alias else ""
    team_ids = list(teams.values_list("pk", flat=True))
    if not team_ids:
        return f"{prefix}owner_id = ?", [user.pk]
    marks = ", ".join("?" for _ in team_ids)
    return f"({prefix}owner_id = ? OR {prefix}team_id IN ({marks}))", [user.pk, *team_ids]


@dataclass
class Filters:
    months: int = DEFAULT_PERIOD
    team_id: int | None = None

    @classmethod
    def parse(cls, data, user: User) -> "Filters":
        try:
            months = int(data.get("months", DEFAULT_PERIOD))
        except ValueError:
            months = DEFAULT_PERIOD
        team_id = None
        raw = data.get("team", "")
        if raw.isdigit() and any(t.pk == int(raw) for t in teams_for_filter(user)):
            team_id = int(raw)
        return cls(months if months in PERIODS else DEFAULT_PERIOD, team_id)

    def query(self) -> str:
        parts = [f"months={self.months}"]
        if self.team_id:
            parts.append(f"team={self.team_id}")
        return "&".join(parts)


def teams_for_filter(user: User) -> list[Team]:
    teams = teams_in_scope(user)
    return list((Team.objects.all() if teams is None else teams).order_by("name")[:100])


def _where(user: User, widget: Widget, filters: Filters, alias: str = "") -> tuple[str, list]:
    condition, params = scope(user, alias)
    prefix = f"{alias}." if alias else ""
    if filters.team_id:
        condition += f" AND {prefix}team_id = ?"
        params.append(filters.team_id)
    if widget.period and not alias:
        condition += (
            f" AND {widget.period} >= date_trunc('month', current_date) "
            f"- INTERVAL {int(filters.months) - 1} MONTH"
        )
    return condition, params


@dataclass
class WidgetData:
    widget: Widget
    columns: list[str]
    rows: list[tuple] = field(default_factory=list)  # table: (customer_id, name, values...)

    @property
    def labels(self) -> list[str]:
        return [str(r[0]) for r in self.rows]

    def series(self) -> list[dict]:
        return [
            {"label": str(name), "data": [_number(r[i + 1]) for r in self.rows]}
            for i, name in enumerate(self.columns[1:])
        ]


def _number(value):
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _check(user: User, department: str) -> None:
    if dashboards.department_get(department) is None:
        raise NotFound(_("There is no such dashboard."))
    if not any(d.key == department for d in dashboards.departments_for(user)):
        raise PermissionDenied(_("Your role does not use this dashboard."))


def widget_data(*, user: User, department: str, key: str, filters: Filters, con=None) -> WidgetData:
    """One widget's rows, scoped. ``con``: an open read-only warehouse connection."""
    _check(user, department)
    widget = dashboards.widget_get(department, key)
    if widget is None:
        raise NotFound(_("There is no such chart."))
    alias = "m" if widget.chart == "table" else ""
    where, params = _where(user, widget, filters, alias)
    own = con is None
    con = con or engine.connect(read_only=True)
    try:
        if widget.top is not None:
            rows_sql, params = _top_rows(con, widget, where, params)
            sql = widget.sql.format(rows=rows_sql)
        else:
            sql = widget.sql.format(where=where)
        if widget.order:
            sql += f" ORDER BY {widget.order}"
        if widget.limit:
            sql += f" LIMIT {int(widget.limit)}"
        rows = con.execute(sql, params).fetchall()
    finally:
        if own:
            con.close()
    return WidgetData(widget, [str(c) for c in widget.columns], rows)


def top_rows_plain(widget: Widget, where: str) -> str:
    """A table widget's ``{rows}``: every row of its mart in scope."""
    assert widget.top is not None
    return f"(SELECT * FROM {widget.top.mart} m WHERE {where})"  # noqa: S608


def _top_rows(con, widget: Widget, where: str, params: list) -> tuple[str, list]:
    """A table widget's ``{rows}`` and their parameters: only the mart's rows in scope
    that can be among its first ``limit`` (``_top_cut``), so that the names of
    ``dim_customer`` are joined to about ``limit`` rows, not to every customer's. They
    are counted first and the subquery says how many (``LIMIT``, every one of them): so
    DuckDB builds its hash table on them rather than on ``dim_customer``."""
    assert widget.top is not None
    if not widget.limit:
        return top_rows_plain(widget, where), params
    cut, cut_params = _top_cut(con, widget, where, params)
    if not cut_params:
        return top_rows_plain(widget, where), params
    kept, kept_params = f"{where} AND {cut}", [*params, *cut_params]
    count = con.execute(
        f"SELECT count(*) FROM {widget.top.mart} m WHERE {kept}",  # noqa: S608
        kept_params,
    ).fetchone()[0]
    return f"(SELECT * FROM {widget.top.mart} m WHERE {kept} LIMIT {int(count)})", kept_params


def _top_cut(con, widget: Widget, where: str, params: list) -> tuple[str, list]:
    """A condition on the mart (alias ``m``) keeping the rows a table widget can show,
    and its parameters (none: every row).

    The widget orders by its mart's ``top.keys`` (descending, NULLs last), then by the
    customer's name and id; so its first ``limit`` rows all have keys at least those of
    the ``limit``-th row of the mart in the same scope (the *cut*), ties included. The
    widget's query then joins the names to those few rows, not to every row of the mart
    (a million at 1M customers), and orders and cuts them as before: the same rows in
    the same order. With fewer rows than ``limit``, or a NULL in the cut, every row."""
    assert widget.top is not None
    keys = widget.top.keys
    order = ", ".join(f"m.{k} DESC" for k in keys)
    row = con.execute(
        f"SELECT {', '.join(f'm.{k}' for k in keys)} FROM {widget.top.mart} m "  # noqa: S608
        f"WHERE {where} ORDER BY {order} LIMIT 1 OFFSET {int(widget.limit) - 1}",
        params,
    ).fetchone()
    if row is None or any(value is None for value in row):
        return "TRUE", []
    # (k1, k2, ...) >= cut, lexicographically: k1 > c1 OR (k1 = c1 AND (k2 > c2 OR ...)),
    # led by k1 >= c1 alone, which DuckDB's scan applies itself (a condition with OR it
    # checks only after reading every column of every row).
    condition = "TRUE"
    cut_params: list[Any] = []
    for key, value in reversed(list(zip(keys[1:], row[1:], strict=True))):
        condition = f"(m.{key} > ? OR (m.{key} = ? AND {condition}))"
        cut_params = [value, value, *cut_params]
    lead = f"m.{keys[0]} >= ?"
    if len(keys) > 1:
        lead = f"{lead} AND (m.{keys[0]} > ? OR {condition})"
        cut_params = [row[0], *cut_params]
    return lead, [row[0], *cut_params]


def dashboard_data(*, user: User, department: str, filters: Filters) -> list[WidgetData]:
    _check(user, department)
    con = engine.connect(read_only=True)
    try:
        return [
            widget_data(user=user, department=department, key=w.key, filters=filters, con=con)
            for w in dashboards.widgets_of(department)
        ]
    finally:
        con.close()


def drill_rows(
    *, user: User, department: str, key: str, label: str, filters: Filters
) -> tuple[Widget, list[tuple]]:
    """The customers behind one bar (``label``) of a widget, scoped: (customer_id, name,
    measures...)."""
    _check(user, department)
    widget = dashboards.widget_get(department, key)
    if widget is None or not widget.drill:
        raise NotFound(_("This chart has no detail."))
    where, params = _where(user, widget, filters, alias="c")
    con = engine.connect(read_only=True)
    try:
        rows = con.execute(widget.drill.format(where=where), [label, *params]).fetchall()
    finally:
        con.close()
    return widget, rows
