"""The order history import in the UI: upload a file, read its report."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from panorama.accounts.http import SignedInRequest
from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import ValidationFailed

from . import selectors
from .mining.cluster import FEATURE_LABELS, K_RANGE
from .models import ModelRun
from .services.purchase_jobs import UNFINISHED, purchase_import_progress, purchase_import_queue
from .services.purchases import purchase_import_rejected_csv
from .services.runs import cluster_run, forecast_run


@require_http_methods(["GET", "POST"])
def orders_import(request: SignedInRequest) -> HttpResponse:
    """Choose the file; its header is checked and its import queued for the task
    worker; its page follows the progress, then shows the report."""
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a CSV file.")
        else:
            try:
                job = purchase_import_queue(
                    upload=upload, by=request.user, file_name=upload.name or ""
                )
            except ValidationFailed as exc:
                error = str(exc.message)
            else:
                return redirect("analytics:orders_import_detail", job_id=job.pk)
    return render(
        request,
        "analytics/orders_import.html",
        {"error": error, "jobs": selectors.purchase_import_list(user=request.user)},
        status=422 if error else 200,
    )


@require_GET
def orders_import_detail(request: SignedInRequest, job_id: int) -> HttpResponse:
    """The progress (polled by HTMX while the worker runs it), then the report."""
    job = selectors.purchase_import_get(user=request.user, job_id=job_id)
    polling = job.status in UNFINISHED
    context = {
        "job": job,
        "errors": [] if polling else job.errors[:200],
        "polling": polling,
        "progress": purchase_import_progress(job),
    }
    if request.htmx:
        return render(request, "analytics/_orders_import_progress.html", context)
    return render(request, "analytics/orders_import_detail.html", context)


@require_GET
def orders_import_rejected(request: SignedInRequest, job_id: int) -> HttpResponse:
    job = selectors.purchase_import_get(user=request.user, job_id=job_id)
    response = HttpResponse(purchase_import_rejected_csv(job=job), content_type="text/csv")
    response["Content-Disposition"] = (
        content_disposition_header(True, f"rejected-orders-{job.pk}.csv") or "attachment"
    )
    return response


@require_http_methods(["GET", "POST"])
def clusters(request: SignedInRequest) -> HttpResponse:
    """The customer clusters: each one's size, means and what sets it apart; a POST
    runs the clustering again (k chosen by silhouette unless given)."""
    error = ""
    if request.method == "POST":
        raw = request.POST.get("k", "")
        try:
            card = cluster_run(by=request.user, k=int(raw) if raw.isdigit() else None)
        except ValidationFailed as exc:
            error = str(exc.message)
        else:
            messages.success(
                request,
                _("%(n)s customers clustered in %(k)s groups.")
                % {"n": card["scored"], "k": card["k"]},
            )
            return redirect("analytics:clusters")
    overview = selectors.clusters_overview(user=request.user)
    chart = None
    if overview:
        chart = {
            "type": "bar",
            "labels": [f"{p['cluster']} · {p['name']}" for p in overview["profiles"]],
            "series": [
                {"label": str(_("Customers")), "data": [p["size"] for p in overview["profiles"]]}
            ],
            "drill": "",
        }
    features = overview["card"].get("features", []) if overview else []
    return render(
        request,
        "analytics/clusters.html",
        {
            "overview": overview,
            "chart": chart,
            "features": [(f, FEATURE_LABELS[f]) for f in features],
            "k_choices": list(K_RANGE),
            "error": error,
        },
        status=422 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def forecast(request: SignedInRequest) -> HttpResponse:
    """The monthly orders and revenue forecast (SARIMAX, 95 % intervals): the latest run
    beside the months of history; a POST runs it again for the months asked."""
    from .mining.data import history_load
    from .mining.forecast import monthly_series

    ensure_can(request.user, "analytics.run_models")
    error = ""
    if request.method == "POST":
        raw = request.POST.get("months", "")
        try:
            forecast_run(by=request.user, months=int(raw) if raw.isdigit() else 12)
        except ValidationFailed as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("The forecast has been computed again."))
            return redirect("analytics:forecast")
    run = ModelRun.objects.filter(kind=ModelRun.Kind.FORECAST).order_by("-id").first()
    rows = run.card.get("forecast", []) if run else []
    labels, _orders, revenue = monthly_series(history_load())
    chart = None
    if rows:
        past = [round(float(v), 2) for v in revenue]
        gap = [None] * len(past)
        chart = {
            "type": "line",
            "labels": labels + [r["month"] for r in rows],
            "series": [
                {"label": str(_("Revenue")), "data": past + [None] * len(rows)},
                {"label": str(_("Forecast")), "data": gap + [r["revenue"] for r in rows]},
                {"label": str(_("Low (95 %)")), "data": gap + [r["revenue_low"] for r in rows]},
                {"label": str(_("High (95 %)")), "data": gap + [r["revenue_high"] for r in rows]},
            ],
            "drill": "",
        }
    return render(
        request,
        "analytics/forecast.html",
        {"run": run, "rows": rows, "chart": chart, "error": error},
        status=422 if error else 200,
    )
