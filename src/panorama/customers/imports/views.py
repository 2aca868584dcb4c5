"""The import wizard: upload, review the column mapping, follow the progress, read the report.

Step 3 polls a partial every second with HTMX (``request.htmx`` answers the partial)
until the job has finished, then shows the report and the undo button; the undo runs
in the background too, polled the same way, and ends with its own report.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.http import SignedInRequest
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.customers.models import CustomFieldDefinition

from . import selectors
from .models import ImportJob
from .services import forecast
from .services import jobs as importing
from .services.mapping import TARGETS, target_labels

TEMPLATES = "customers/imports/"


def _job(request: SignedInRequest, job_id: int) -> ImportJob:
    return selectors.import_job_get(user=request.user, job_id=job_id)


def _choices() -> list[tuple[str, str]]:
    labels = target_labels()
    choices = [("", _("— do not import —"))] + [(t, str(labels[t])) for t in TARGETS]
    choices += [
        (f"cf:{d.key}", _("Custom field: %(label)s") % {"label": d.label})
        for d in CustomFieldDefinition.objects.filter(active=True)
    ]
    return choices


@require_http_methods(["GET", "POST"])
def import_upload(request: SignedInRequest) -> HttpResponse:
    """Step 1: choose the file; it is checked at once and the mapping guessed."""
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a CSV or Excel (.xlsx) file.")
        else:
            try:
                job = importing.import_job_create(upload=upload, by=request.user, start=False)
            except (ValidationFailed, Conflict) as exc:
                error = str(exc.message)
            else:
                return redirect("customers:import_mapping", job_id=job.pk)
    return render(
        request,
        TEMPLATES + "upload.html",
        {"error": error, "jobs": selectors.import_job_list(user=request.user, limit=20)},
        status=422 if error else 200,
    )


def _posted_mapping(request: SignedInRequest, headers: list[str]) -> dict[str, str]:
    return {h: request.POST.get(f"col-{i}", "") for i, h in enumerate(headers) if h}


def _dry_run_context(job: ImportJob) -> dict:
    """The job's dry run, when it was made with the mapping the job has now."""
    dry_run = job.dry_run if job.dry_run.get("mapping") == job.mapping else {}
    return {"dry_run": dry_run, "dry_running": dry_run.get("status") == "running"}


@require_http_methods(["GET", "POST"])
def import_mapping(request: SignedInRequest, job_id: int) -> HttpResponse:
    """Step 2: one select per column, the first rows checked as the import would check
    them (invalid cells marked), a dry run of the whole file, then the import."""
    job = _job(request, job_id)
    if job.queued_at is not None:
        return redirect("customers:import_detail", job_id=job.pk)
    source = importing.import_job_preview(job=job)
    error = ""
    mapping = dict(job.mapping)
    if request.method == "POST":
        mapping = _posted_mapping(request, source.headers)
        dry_run = request.POST.get("action") == "dry_run"
        try:
            if dry_run:
                forecast.import_job_dry_run_start(job=job, mapping=mapping, by=request.user)
            else:
                importing.import_job_start(job=job, mapping=mapping, by=request.user)
        except (ValidationFailed, Conflict) as exc:
            error = str(exc.message)
        else:
            if dry_run:
                return redirect(reverse("customers:import_mapping", args=[job.pk]) + "#dry-run")
            return redirect("customers:import_detail", job_id=job.pk)
    columns = [
        {
            "index": i,
            "header": h,
            "target": mapping.get(h, ""),
            "samples": [row[i] if i < len(row) else "" for row in source.preview[:3]],
        }
        for i, h in enumerate(source.headers)
        if h
    ]
    return render(
        request,
        TEMPLATES + "mapping.html",
        {
            "job": job,
            "columns": columns,
            "choices": _choices(),
            "error": error,
            "preview": forecast.import_preview_check(job=job, mapping=mapping, source=source),
            **_dry_run_context(job),
        },
        status=422 if error else 200,
    )


@require_POST
def import_preview(request: SignedInRequest, job_id: int) -> HttpResponse:
    """The checked preview for the mapping on screen (HTMX, on every change of a select)."""
    job = _job(request, job_id)
    if job.queued_at is not None:
        return redirect("customers:import_detail", job_id=job.pk)
    source = importing.import_job_preview(job=job)
    preview = forecast.import_preview_check(
        job=job, mapping=_posted_mapping(request, source.headers), source=source
    )
    return render(request, TEMPLATES + "_preview.html", {"job": job, "preview": preview})


@require_GET
def import_dry_run(request: SignedInRequest, job_id: int) -> HttpResponse:
    """The dry run's progress and counts (polled by HTMX while it runs)."""
    job = _job(request, job_id)
    return render(request, TEMPLATES + "_dry_run.html", {"job": job, **_dry_run_context(job)})


@require_GET
def import_detail(request: SignedInRequest, job_id: int) -> HttpResponse:
    """Step 3: progress (polled by HTMX while it runs), then the report."""
    job = _job(request, job_id)
    undoing = job.status == ImportJob.Status.UNDOING
    context = {
        "job": job,
        "progress": selectors.import_progress(job),
        "finished": job.status not in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING),
        "undoing": undoing,
        # Polled while the import or its undo runs; a stopped undo waits for the user.
        "polling": job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)
        or (undoing and not job.undo_error),
        "errors": list(selectors.import_row_errors(job=job, limit=200)),
        "notes": selectors.import_undo_notes(job=job, limit=200)
        if job.status in (ImportJob.Status.UNDOING, ImportJob.Status.UNDONE)
        else [],
        "rejected_listed": selectors.import_rejected_kept(job),
    }
    if request.htmx:
        return render(request, TEMPLATES + "_progress.html", context)
    return render(request, TEMPLATES + "detail.html", context)


@require_POST
def import_undo(request: SignedInRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    try:
        importing.import_job_undo(job=job, by=request.user)
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The undo of the import has started: this page shows its progress.")
        )
    return redirect("customers:import_detail", job_id=job.pk)
