"""The report builder in the API: the data one may report on, saved reports (create,
read, change, delete) and their rows, the same services and checks as the pages."""

import datetime
from typing import Any

from ninja import Field, Router, Schema, Status

from panorama.accounts.permissions import ensure_can

from ..warehouse.selectors import _number
from . import schedules, selectors, services

router = Router(tags=["reports"])


class ColumnOut(Schema):
    key: str
    label: str


class SourceOut(Schema):
    mart: str
    title: str
    meaning: str
    dimensions: list[ColumnOut]
    measures: list[ColumnOut]


class MeasureIn(Schema):
    column: str
    agg: str = Field(..., description="sum, count or avg")


class FilterIn(Schema):
    column: str
    op: str = Field(..., description="eq, ne, gte or lte")
    value: str


class ReportIn(Schema):
    name: str
    source: str = Field(..., description="A mart of GET /analytics/reports/sources")
    dimensions: list[str] = []
    measures: list[MeasureIn]
    filters: list[FilterIn] = []
    chart: str = "bar"
    shared_roles: list[str] = []


class PreviewIn(Schema):
    source: str
    dimensions: list[str] = []
    measures: list[MeasureIn]
    filters: list[FilterIn] = []


class ReportOut(Schema):
    id: int
    name: str
    owner_id: int
    source: str
    dimensions: list[str]
    measures: list[dict[str, str]]
    filters: list[dict[str, str]]
    chart: str
    shared_roles: list[str]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ReportDataOut(Schema):
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = Field(..., description="True when only the first 1000 groups came")


def _data(data: selectors.ReportData) -> dict:
    return {
        "columns": data.columns,
        "rows": [
            [_number(v) if i >= data.dimensions else v for i, v in enumerate(r)] for r in data.rows
        ],
        "truncated": data.truncated,
    }


@router.get("/analytics/reports/sources", response=list[SourceOut], summary="Data to report on")
def report_sources(request):
    return [
        {
            "mart": s.mart,
            "title": s.title,
            "meaning": str(s.meaning),
            "dimensions": [{"key": k, "label": str(v)} for k, v in s.dimensions.items()],
            "measures": [{"key": k, "label": str(v)} for k, v in s.measures.items()],
        }
        for s in services.sources_for(request.user)
    ]


@router.get("/analytics/reports", response=list[ReportOut], summary="Your and shared reports")
def report_list(request):
    return selectors.report_list(user=request.user)


@router.post("/analytics/reports", response={201: ReportOut}, summary="Save a new report")
def report_create(request, data: ReportIn):
    return Status(201, services.report_save(by=request.user, data=data.dict()))


@router.post(
    "/analytics/reports/preview",
    response=ReportDataOut,
    summary="Run a report definition without saving it (your scope)",
)
def report_preview(request, data: PreviewIn):
    ensure_can(request.user, "analytics.build_reports")
    return _data(selectors.report_run(user=request.user, definition=data.dict()))


@router.get("/analytics/reports/{report_id}", response=ReportOut, summary="A report's definition")
def report_read(request, report_id: int):
    return selectors.report_get(user=request.user, report_id=report_id)


@router.patch(
    "/analytics/reports/{report_id}",
    response=ReportOut,
    summary="Change a report (the whole definition)",
)
def report_update(request, report_id: int, data: ReportIn):
    report = selectors.report_get(user=request.user, report_id=report_id)
    return services.report_save(by=request.user, data=data.dict(), report=report)


@router.delete("/analytics/reports/{report_id}", response={204: None}, summary="Delete a report")
def report_remove(request, report_id: int):
    report = selectors.report_get(user=request.user, report_id=report_id)
    services.report_delete(by=request.user, report=report)
    return Status(204, None)


@router.get(
    "/analytics/reports/{report_id}/data",
    response=ReportDataOut,
    summary="A report's rows, within your scope",
)
def report_rows(request, report_id: int):
    report = selectors.report_get(user=request.user, report_id=report_id)
    return _data(selectors.report_data(user=request.user, report=report))


# --- e-mailed on schedule --------------------------------------------------------------


class RecipientOut(Schema):
    id: int
    username: str
    name: str


class ScheduleOut(Schema):
    id: int
    report_id: int
    report_name: str
    frequency: str = Field(..., description="daily, weekly or monthly")
    hour: int = Field(..., description="The hour of the sending, local time (0 to 23)")
    format: str = Field(..., description="csv or xlsx")
    active: bool
    recipients: list[RecipientOut]
    next_due_at: datetime.datetime
    last_sent_at: datetime.datetime | None
    updated_at: datetime.datetime

    @staticmethod
    def resolve_report_name(obj) -> str:
        return obj.report.name

    @staticmethod
    def resolve_recipients(obj) -> list[dict]:
        return [
            {"id": u.pk, "username": u.username, "name": u.get_full_name() or u.username}
            for u in obj.recipients.all()
        ]


class ScheduleIn(Schema):
    report_id: int = Field(..., description="A report of yours (GET /analytics/reports)")
    frequency: str = Field(..., description="daily, weekly or monthly")
    hour: int = Field(7, description="The hour of the sending, local time (0 to 23)")
    format: str = Field("xlsx", description="csv or xlsx")
    recipients: list[int] = Field(
        ..., description="User ids among those who may read the report and have an e-mail"
    )
    active: bool = True


class ScheduleChangeIn(Schema):
    frequency: str | None = Field(None, description="daily, weekly or monthly")
    hour: int | None = Field(None, description="0 to 23")
    format: str | None = Field(None, description="csv or xlsx")
    recipients: list[int] | None = None
    active: bool | None = None


@router.get(
    "/analytics/report-schedules",
    response=list[ScheduleOut],
    summary="The schedules of the reports you may change (e-mailed reports)",
)
def schedule_list(request):
    return list(selectors.schedules_visible(user=request.user))


@router.post(
    "/analytics/report-schedules",
    response={201: ScheduleOut},
    summary="E-mail a report on schedule (one schedule per report)",
)
def schedule_create(request, data: ScheduleIn):
    report = selectors.report_get(user=request.user, report_id=data.report_id)
    payload = data.dict(exclude={"report_id"})
    schedule = schedules.report_schedule_save(
        by=request.user, report=report, data=payload, new=True
    )
    return Status(201, selectors.schedule_get(user=request.user, schedule_id=schedule.pk))


@router.get(
    "/analytics/report-schedules/{schedule_id}",
    response=ScheduleOut,
    summary="A report's schedule",
)
def schedule_read(request, schedule_id: int):
    return selectors.schedule_get(user=request.user, schedule_id=schedule_id)


@router.patch(
    "/analytics/report-schedules/{schedule_id}",
    response=ScheduleOut,
    summary="Change a schedule (the fields given; the others stay)",
)
def schedule_update(request, schedule_id: int, data: ScheduleChangeIn):
    schedule = selectors.schedule_get(user=request.user, schedule_id=schedule_id)
    schedules.report_schedule_change(
        by=request.user, schedule=schedule, data=data.dict(exclude_none=True)
    )
    return selectors.schedule_get(user=request.user, schedule_id=schedule_id)


@router.delete(
    "/analytics/report-schedules/{schedule_id}",
    response={204: None},
    summary="Stop e-mailing the report",
)
def schedule_remove(request, schedule_id: int):
    schedule = selectors.schedule_get(user=request.user, schedule_id=schedule_id)
    schedules.report_schedule_delete(by=request.user, report=schedule.report)
    return Status(204, None)
