"""The warehouse's pages: dashboards per department (charts, filters, drill-down,
CSV/XLSX export, the whole dashboard as PDF) and the status page (last load, rows per
table, refresh now)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panorama.accounts.permissions import can, ensure_can
from panorama.core.exceptions import Conflict, NotFound, PermissionDenied

from . import dashboards, export, marts, parquet, pdf, schema, selectors, services, status


@require_GET
def dashboard_index(request):
    departments = dashboards.departments_for(request.user)
    if not departments:
        raise PermissionDenied(_("Your role has no dashboard."))
    return redirect("analytics:warehouse:dashboard", department=departments[0].key)


@require_GET
def dashboard(request, department: str):
    filters = selectors.Filters.parse(request.GET, request.user)
    error = ""
    try:
        widgets = selectors.dashboard_data(
            user=request.user, department=department, filters=filters
        )
    except Conflict as exc:
        widgets, error = [], str(exc)
    current = dashboards.department_get(department)
    return render(
        request,
        "analytics/warehouse/dashboard.html",
        {
            "department": current,
            "departments": dashboards.departments_for(request.user),
            "widgets": [
                {
                    "data": w,
                    "chart_id": f"w-{w.widget.key}-data",
                    "chart": {
                        "type": w.widget.chart,
                        "labels": w.labels,
                        "series": w.series(),
                        "drill": reverse(
                            "analytics:warehouse:drill", args=[department, w.widget.key]
                        )
                        + "?"
                        + filters.query()
                        if w.widget.drill
                        else "",
                    },
                }
                for w in widgets
            ],
            "filters": filters,
            "periods": selectors.PERIODS,
            "teams": selectors.teams_for_filter(request.user),
            "error": error,
            "finished": status.moment(status.read().get("finished_at")),
            "may_refresh": can(request.user, "analytics.warehouse_refresh"),
        },
    )


@require_GET
def dashboard_pdf(request, department: str):
    """The dashboard as the user sees it (his scope, the filters), as a PDF file."""
    filters = selectors.Filters.parse(request.GET, request.user)
    body = pdf.dashboard_pdf(user=request.user, department=department, filters=filters)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{department}.pdf"'
    return response


@require_GET
def drill(request, department: str, key: str):
    filters = selectors.Filters.parse(request.GET, request.user)
    label = request.GET.get("label", "")[:100]
    widget, rows = selectors.drill_rows(
        user=request.user, department=department, key=key, label=label, filters=filters
    )
    return render(
        request,
        "analytics/warehouse/drill.html",
        {
            "department": dashboards.department_get(department),
            "widget": widget,
            "label": label,
            "rows": rows,
            "columns": widget.drill_columns,
            "filters": filters,
        },
    )


def _export_response(body: bytes, fmt: str, name: str) -> HttpResponse:
    kind = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_GET
def widget_export(request, department: str, key: str, fmt: str):
    """The widget's table (or, with ``label``, its drill-down) as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        raise NotFound(_("Export as CSV or XLSX."))
    filters = selectors.Filters.parse(request.GET, request.user)
    label = request.GET.get("label")
    if label is not None:
        widget, rows = selectors.drill_rows(
            user=request.user,
            department=department,
            key=key,
            label=label[:100],
            filters=filters,
        )
        columns = ["id", *[str(c) for c in widget.drill_columns]]
    else:
        data = selectors.widget_data(
            user=request.user, department=department, key=key, filters=filters
        )
        widget, rows = data.widget, data.rows
        columns = (["id"] if widget.chart == "table" else []) + data.columns
    name = f"{department}-{key}"
    if fmt == "csv":
        return _export_response(export.table_csv(columns, rows), fmt, name)
    return _export_response(export.table_xlsx(columns, rows, title=str(widget.title)), fmt, name)


@require_GET
def warehouse_status(request):
    ensure_can(request.user, "analytics.warehouse_refresh")
    data = status.read()
    template = (
        "analytics/warehouse/_status.html" if request.htmx else "analytics/warehouse/status.html"
    )
    rows = data.get("rows", {})
    return render(
        request,
        template,
        {
            "status": data,
            "finished": status.moment(data.get("finished_at")),
            "last_build": status.moment(data.get("last_build", {}).get("finished_at")),
            "running": data.get("state") in ("running", "queued"),
            "tables": [
                (
                    t.name,
                    rows.get(t.name),
                    data.get("changed", {}).get(t.name),
                    data.get("deleted", {}).get(t.name),
                    t.reads,
                )
                for t in schema.TABLES
            ],
            "marts": [(m, rows.get(m.name)) for m in marts.MARTS],
            "parquet": parquet.exists(),
        },
    )


@require_POST
def warehouse_refresh(request):
    services.warehouse_refresh_request(by=request.user)
    messages.success(request, _("Refresh started: this page shows its progress."))
    return redirect("analytics:warehouse:status")
