"""The report builder's pages: the list, the editor (the data first, then dimensions,
measures, filters, chart and sharing), a report as a table and a chart, its CSV."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.models import Role
from panorama.accounts.permissions import can, ensure_can
from panorama.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from panorama.core.lists import list_response

from ..models import Report, ReportSchedule
from ..warehouse import export
from . import schedules, selectors, services
from .catalogue import AGGREGATES, SOURCES
from .lists import REPORTS

MEASURE_ROWS = services.MAX_MEASURES
FILTER_ROWS = 3


@require_GET
def report_list(request):
    return list_response(
        request,
        REPORTS,
        template="analytics/reports/list.html",
        context={"may_build": can(request.user, "analytics.build_reports")},
    )


def _posted(data) -> dict[str, Any]:
    measures = [
        {"column": data.get(f"mc{i}"), "agg": data.get(f"ma{i}", "sum")}
        for i in range(MEASURE_ROWS)
        if data.get(f"mc{i}")
    ]
    filters = [
        {"column": data.get(f"fc{i}"), "op": data.get(f"fo{i}", "eq"), "value": data.get(f"fv{i}")}
        for i in range(FILTER_ROWS)
        if data.get(f"fc{i}")
    ]
    return {
        "name": data.get("name", ""),
        "source": data.get("source", ""),
        "dimensions": data.getlist("dimensions"),
        "measures": measures,
        "filters": filters,
        "chart": data.get("chart", Report.Chart.BAR),
        "shared_roles": data.getlist("shared_roles"),
    }


def _padded(items: list[dict], n: int) -> list[dict]:
    return [*items, *({} for _ in range(max(0, n - len(items))))]


def _editor(request, definition: dict, report: Report | None, error: str = "", field: str = ""):
    sources = services.sources_for(request.user)
    source = SOURCES.get(definition.get("source") or "")
    if source not in sources:
        source = None
    # Choosing another data source swaps only the definition's part (HTMX).
    template = (
        "analytics/reports/_definition.html"
        if request.htmx and request.method == "GET"
        else "analytics/reports/form.html"
    )
    return render(
        request,
        template,
        {
            "report": report,
            "definition": definition,
            "sources": sources,
            "source": source,
            "columns": {**source.dimensions, **source.measures} if source else {},
            "aggregates": AGGREGATES,
            "measure_rows": _padded(definition.get("measures") or [], MEASURE_ROWS),
            "filter_rows": _padded(definition.get("filters") or [], FILTER_ROWS),
            "filter_ops": [
                ("eq", _("is")),
                ("ne", _("is not")),
                ("gte", _("from / at least")),
                ("lte", _("up to / at most")),
            ],
            "charts": Report.Chart.choices,
            "roles": Role.choices,
            "error": error,
            "error_field": field,
        },
        status=422 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def report_edit(request, report_id: int | None = None):
    """New (no id) or change: the data is chosen first (a GET), the rest posted."""
    ensure_can(request.user, "analytics.build_reports")
    report = selectors.report_get(user=request.user, report_id=report_id) if report_id else None
    if request.method == "POST":
        definition = _posted(request.POST)
        try:
            report = services.report_save(by=request.user, data=definition, report=report)
        except ValidationFailed as exc:
            return _editor(request, definition, report, str(exc.message), exc.field or "")
        messages.success(request, _("Report saved."))
        return redirect("analytics:report_detail", report_id=report.pk)
    definition = selectors.report_definition(report) if report else {"measures": []}
    if request.GET.get("source"):
        services.source_check(request.user, request.GET["source"])
        if report is None or request.GET["source"] != report.source:
            definition = {
                **definition,
                "source": request.GET["source"],
                "dimensions": [],
                "measures": [],
                "filters": [],
            }
    return _editor(request, definition, report)


@require_GET
def report_detail(request, report_id: int):
    report = selectors.report_get(user=request.user, report_id=report_id)
    error = ""
    data = None
    try:
        data = selectors.report_data(user=request.user, report=report)
    except (Conflict, ValidationFailed) as exc:
        error = str(exc.message)
    source = SOURCES.get(report.source)
    pivot = data.pivot() if data and request.GET.get("view") == "pivot" else None
    return render(
        request,
        "analytics/reports/detail.html",
        {
            "report": report,
            "pivot": pivot,
            "source": source,
            "data": data,
            "chart": data.chart(report.chart) if data and report.chart != "table" else None,
            "error": error,
            "may_edit": services.may_edit(request.user, report),
            "schedule": selectors.report_schedule(report),
        },
    )


@require_GET
def report_csv(request, report_id: int):
    report = selectors.report_get(user=request.user, report_id=report_id)
    data = selectors.report_data(user=request.user, report=report)
    pivot = data.pivot() if request.GET.get("view") == "pivot" else None
    table = (pivot.columns, pivot.rows) if pivot else (data.columns, data.rows)
    response = HttpResponse(export.table_csv(*table), content_type="text/csv")
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{slugify(report.name) or 'report'}.csv") or "attachment"
    )
    return response


@require_POST
def report_delete(request, report_id: int):
    report = selectors.report_get(user=request.user, report_id=report_id)
    services.report_delete(by=request.user, report=report)
    messages.success(request, _("Report deleted."))
    return redirect("analytics:report_list")


@require_http_methods(["GET", "POST"])
def report_schedule(request, report_id: int):
    """The report's e-mail schedule: how often, at what hour, as which file, to whom
    (users who may read it)."""
    report = selectors.report_get(user=request.user, report_id=report_id)
    if not services.may_edit(request.user, report):
        raise PermissionDenied(_("Only the report's owner schedules it."))
    schedule = selectors.report_schedule(report)
    error, field = "", ""
    if request.method == "POST":
        data = {
            "frequency": request.POST.get("frequency"),
            "hour": request.POST.get("hour"),
            "format": request.POST.get("format"),
            "recipients": request.POST.getlist("recipients"),
            "active": request.POST.get("active") == "on",
        }
        try:
            schedules.report_schedule_save(by=request.user, report=report, data=data)
        except ValidationFailed as exc:
            error, field = str(exc.message), exc.field or ""
        else:
            messages.success(request, _("Schedule saved."))
            return redirect("analytics:report_detail", report_id=report.pk)
        chosen = {str(i) for i in data["recipients"]}
        current = {**data, "chosen": chosen}
    else:
        current = {
            "frequency": schedule.frequency if schedule else ReportSchedule.Frequency.WEEKLY,
            "hour": schedule.hour if schedule else 7,
            "format": schedule.format if schedule else ReportSchedule.Format.XLSX,
            "active": schedule.active if schedule else True,
            "chosen": {str(u.pk) for u in schedule.recipients.all()}
            if schedule
            else {str(request.user.pk)},
        }
    return render(
        request,
        "analytics/reports/schedule.html",
        {
            "report": report,
            "schedule": schedule,
            "current": current,
            "readers": schedules.readers(report),
            "frequencies": ReportSchedule.Frequency.choices,
            "formats": ReportSchedule.Format.choices,
            "hours": range(24),
            "error": error,
            "error_field": field,
        },
        status=422 if error else 200,
    )


@require_POST
def report_schedule_delete(request, report_id: int):
    report = selectors.report_get(user=request.user, report_id=report_id)
    schedules.report_schedule_delete(by=request.user, report=report)
    messages.success(request, _("The report is no longer sent by e-mail."))
    return redirect("analytics:report_detail", report_id=report.pk)
