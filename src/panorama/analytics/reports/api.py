"""The report builder in the API: the data one may report on, saved reports (create,
read, change, delete) and their rows, the same services and checks as the pages."""

import datetime
from typing import Any

from ninja import Field, Router, Schema, Status

from panorama.accounts.permissions import ensure_can

from ..warehouse.selectors import _number
from . import selectors, services

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
