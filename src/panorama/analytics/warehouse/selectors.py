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
    sql = widget.sql.format(where=where)
    if widget.order:
        sql += f" ORDER BY {widget.order}"
    if widget.limit:
        sql += f" LIMIT {int(widget.limit)}"
    own = con is None
    con = con or engine.connect(read_only=True)
    try:
        rows = con.execute(sql, params).fetchall()
    finally:
        if own:
            con.close()
    return WidgetData(widget, [str(c) for c in widget.columns], rows)


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
