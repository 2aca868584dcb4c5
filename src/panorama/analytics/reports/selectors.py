"""Reading saved reports and running them: the SQL is assembled from the catalogue's
identifiers only (user values go as parameters) and scoped like the dashboards, so two
users opening one shared report each see the rows of their own customers."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from panorama.accounts.models import Role, User
from panorama.core.exceptions import NotFound

from ..models import Report, ReportSchedule
from ..warehouse import engine
from ..warehouse.selectors import _number, scope
from .catalogue import AGGREGATES, MONTH, SOURCES
from .services import FILTER_OPS, report_clean

ROW_LIMIT = 1000
PIVOT_COLUMNS = 40  # values of the last grouping spread as columns, at most


@dataclass
class Pivot:
    """A report's rows with its last grouping's values spread as columns (one per value
    and measure); ``leading`` columns are the other groupings."""

    columns: list[str]
    rows: list[tuple]
    leading: int
    truncated: bool = False


def report_list(*, user: User) -> list[Report]:
    """The reports ``user`` owns or that are shared with his role, with their owner."""
    reports = Report.objects.select_related("owner").order_by("name", "id")
    if user.is_superuser:
        return list(reports)
    # Sharing is by role, a JSON list (no JSON "contains" on SQLite): the owner's are
    # filtered in SQL, the shared ones among the few reports others own.
    return [r for r in reports if r.owner_id == user.pk or user.role in r.shared_roles]


def reports_visible(*, user: User):
    """The same, as a queryset for the shared list (the shared ids in one query)."""
    qs = Report.objects.select_related("owner")
    if user.is_superuser:
        return qs
    shared = [
        pk
        for pk, roles in Report.objects.exclude(owner=user).values_list("pk", "shared_roles")
        if user.role in roles
    ]
    return qs.filter(Q(owner=user) | Q(pk__in=shared))


def report_get(*, user: User, report_id: int) -> Report:
    report = Report.objects.select_related("owner").filter(pk=report_id).first()
    if report is None or not (
        user.is_superuser or report.owner_id == user.pk or user.role in report.shared_roles
    ):
        raise NotFound(
            _("Report %(id)s does not exist or is not shared with you.") % {"id": report_id}
        )
    return report


@dataclass
class ReportData:
    columns: list[str]
    rows: list[tuple] = field(default_factory=list)
    dimensions: int = 0
    truncated: bool = False  # more than ROW_LIMIT groups: the first ROW_LIMIT are shown

    def pivot(self) -> Pivot | None:
        """The pivot table, for a report grouped by two columns or more."""
        if self.dimensions < 2:
            return None
        lead = self.dimensions - 1
        measures = self.columns[self.dimensions :]
        cells: dict[tuple, dict] = {}
        across: set = set()
        for row in self.rows:
            across.add(row[lead])
            cells.setdefault(tuple(row[:lead]), {})[row[lead]] = row[self.dimensions :]
        ordered = sorted(across, key=lambda v: (v is None, str(v)))
        shown = ordered[:PIVOT_COLUMNS]
        empty = (None,) * len(measures)
        columns = [
            *self.columns[:lead],
            *(
                f"{'—' if value is None else value} · {measure}"
                if len(measures) > 1
                else ("—" if value is None else str(value))
                for value in shown
                for measure in measures
            ),
        ]
        rows = [
            (*key, *(cells_of.get(v, empty)[i] for v in shown for i in range(len(measures))))
            for key, cells_of in cells.items()
        ]
        return Pivot(columns, rows, lead, truncated=len(ordered) > len(shown))

    def chart(self, kind: str) -> dict:
        labels = [" · ".join(str(v) for v in row[: self.dimensions]) for row in self.rows]
        return {
            "type": kind,
            "labels": labels,
            "series": [
                {"label": name, "data": [_number(r[self.dimensions + i]) for r in self.rows]}
                for i, name in enumerate(self.columns[self.dimensions :])
            ],
            "drill": "",
        }


def _sql(definition: dict, where: str) -> tuple[str, list[str]]:
    source = SOURCES[definition["source"]]
    select, labels = [], []
    for column in definition["dimensions"]:
        select.append(f"strftime({MONTH}, '%Y-%m')" if column == MONTH else f'"{column}"')
        labels.append(str(source.dimensions[column]))
    for measure in definition["measures"]:
        template = {"sum": 'SUM("{}")', "count": 'COUNT("{}")', "avg": 'ROUND(AVG("{}"), 2)'}
        select.append(template[measure["agg"]].format(measure["column"]))
        labels.append(f"{AGGREGATES[measure['agg']]} · {source.measures[measure['column']]}")
    sql = f"SELECT {', '.join(select)} FROM {source.mart} WHERE {where}"  # noqa: S608 - catalogue names
    if definition["dimensions"]:
        positions = ", ".join(str(i + 1) for i in range(len(definition["dimensions"])))
        sql += f" GROUP BY {positions} ORDER BY {positions}"
    return sql + f" LIMIT {ROW_LIMIT + 1}", labels


def report_run(*, user: User, definition: dict, validated: bool = False) -> ReportData:
    """The rows of a report definition (saved or not) for ``user``: only marts of his
    dashboards, only his customers' rows. Raises Conflict while the warehouse is not
    built or is being refreshed."""
    if not validated:
        named = {**definition, "name": definition.get("name") or _("Preview")}
        definition = report_clean(by=user, data=named)
    where, params = scope(user)
    for item in definition["filters"]:
        column = f'"{item["column"]}"'
        if item["column"] in SOURCES[definition["source"]].measures:
            where += f" AND {column} {FILTER_OPS[item['op']]} CAST(? AS DOUBLE)"
        elif item["column"] == MONTH:
            where += f" AND {column} {FILTER_OPS[item['op']]} CAST(? AS DATE)"
        else:
            where += f" AND CAST({column} AS VARCHAR) {FILTER_OPS[item['op']]} ?"
        params.append(item["value"])
    sql, labels = _sql(definition, where)
    con = engine.connect(read_only=True)
    try:
        rows = con.execute(sql, params).fetchall()
    finally:
        con.close()
    return ReportData(
        labels,
        rows[:ROW_LIMIT],
        dimensions=len(definition["dimensions"]),
        truncated=len(rows) > ROW_LIMIT,
    )


def report_definition(report: Report) -> dict:
    return {
        "name": report.name,
        "source": report.source,
        "dimensions": report.dimensions,
        "measures": report.measures,
        "filters": report.filters,
        "chart": report.chart,
        "shared_roles": report.shared_roles,
    }


def report_data(*, user: User, report: Report) -> ReportData:
    """A saved report for its reader: checked again (the reader's own access to the data,
    and the catalogue of today), then run in his scope."""
    return report_run(user=user, definition=report_definition(report))


def report_schedule(report: Report) -> ReportSchedule | None:
    """The report's schedule with its recipients (two queries), or None."""
    return ReportSchedule.objects.filter(report=report).prefetch_related("recipients").first()


def schedules_visible(*, user: User) -> QuerySet[ReportSchedule]:
    """The schedules ``user`` sees, as on the pages: those of the reports he opens and
    may change (his own; an administrator's, those he opens), with their report and
    recipients (two queries, three for an administrator)."""
    schedules = (
        ReportSchedule.objects.select_related("report")
        .prefetch_related("recipients")
        .order_by("report__name", "id")
    )
    if user.is_superuser:
        return schedules
    if user.role == Role.ADMIN:
        return schedules.filter(report__in=reports_visible(user=user).values("pk"))
    return schedules.filter(report__owner=user)


def schedule_get(*, user: User, schedule_id: int) -> ReportSchedule:
    schedule = schedules_visible(user=user).filter(pk=schedule_id).first()
    if schedule is None:
        raise NotFound(
            _("Report schedule %(id)s does not exist or is not yours.") % {"id": schedule_id}
        )
    return schedule
