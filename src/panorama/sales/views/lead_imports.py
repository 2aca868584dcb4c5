"""Importing leads: upload, review the column mapping (which queues the import for the
task worker), the progress (polled by HTMX while it runs, as the customers import),
the report (rejected rows as CSV) and the undo."""

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.core.exceptions import DomainError

from ..models import LeadImport
from ..services import lead_import as importing
from ..services.lead_import_jobs import UNFINISHED, lead_import_progress, lead_import_start

TEMPLATES = "sales/leads/imports/"


def _choices() -> list[tuple[str, str]]:
    labels = importing.target_labels()
    return [("", _("— do not import —"))] + [(t, labels[t]) for t in importing.TARGETS]


@require_http_methods(["GET", "POST"])
def lead_import_upload(request):
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a CSV or Excel (.xlsx) file.")
        else:
            try:
                job = importing.lead_import_create(by=request.user, upload=upload)
            except DomainError as exc:
                error = str(exc.message)
            else:
                return redirect("sales:lead_import_detail", job.pk)
    recent = importing.lead_imports_visible_to(request.user).order_by("-created_at")[:20]
    return render(
        request,
        TEMPLATES + "upload.html",
        {"error": error, "imports": recent},
        status=422 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def lead_import_detail(request, import_id: int):
    """The mapping to review (then queue), the progress while the worker runs it (an
    HTMX request gets the polled partial), then the report."""
    job = importing.lead_import_get(user=request.user, import_id=import_id)
    error = ""
    mapping = job.mapping
    if request.method == "POST" and job.status == LeadImport.Status.MAPPING:
        mapping = {h: request.POST.get(f"map-{i}", "") for i, h in enumerate(job.headers) if h}
        try:
            job = lead_import_start(
                by=request.user,
                import_id=job.pk,
                mapping=mapping,
                assign_by_rules=request.POST.get("assign_by_rules") == "on",
            )
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("The import has started: this page shows its progress."))
            return redirect("sales:lead_import_detail", job.pk)
    progress = {
        "job": job,
        "progress": lead_import_progress(job),
        "polling": job.status in UNFINISHED,
        "rejected": job.rejected_rows.all()[:50],
    }
    if request.htmx and job.status != LeadImport.Status.MAPPING:
        return render(request, TEMPLATES + "_progress.html", progress)
    columns = [
        {
            "index": i,
            "header": h,
            "target": mapping.get(h, ""),
            "samples": [row[i] for row in job.preview if i < len(row) and row[i]][:3],
        }
        for i, h in enumerate(job.headers)
        if h
    ]
    return render(
        request,
        TEMPLATES + "detail.html",
        {**progress, "columns": columns, "choices": _choices(), "error": error},
        status=422 if error else 200,
    )


@require_POST
def lead_import_undo(request, import_id: int):
    try:
        job = importing.lead_import_undo(by=request.user, import_id=import_id)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Import undone: %(removed)d leads removed, %(kept)d kept (worked on since).")
            % {"removed": job.undo_deleted_count, "kept": job.undo_kept_count},
        )
    return redirect("sales:lead_import_detail", import_id)


@require_GET
def lead_import_rejected(request, import_id: int):
    job = importing.lead_import_get(user=request.user, import_id=import_id)
    response = StreamingHttpResponse(
        importing.lead_import_rejected_csv(job=job), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="lead-import-{job.pk}-rejected.csv"'
    return response
