"""Customer imports: upload a CSV/XLSX, follow its progress, read its report, undo it."""

import csv
import io
import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from panorama.core.exceptions import ValidationFailed

from . import selectors
from .schemas import ImportJobOut, ImportReportOut, UndoReportOut
from .services import jobs as importing

router = Router(tags=["imports"])


def _mapping(text: str) -> dict[str, str] | None:
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            _("The mapping is not valid JSON: %(e)s.") % {"e": exc}, field="mapping"
        ) from None
    if not isinstance(value, dict):
        raise ValidationFailed(_("The mapping is a JSON object: column → field."), field="mapping")
    return value


@router.post("/imports", response={202: ImportJobOut}, summary="Upload a customer file to import")
def import_create(request, file: File[UploadedFile], mapping: Form[str] = ""):
    job = importing.import_job_create(upload=file, mapping=_mapping(mapping), by=request.user)
    return Status(202, selectors.import_job_get(user=request.user, job_id=job.pk))


@router.get("/imports", response=list[ImportJobOut], summary="Past imports")
def import_list(request, limit: int = 50):
    return selectors.import_job_list(user=request.user, limit=limit)


@router.get("/imports/{job_id}", response=ImportJobOut, summary="Status and progress of an import")
def import_read(request, job_id: int):
    return selectors.import_job_get(user=request.user, job_id=job_id)


@router.get(
    "/imports/{job_id}/report", response=ImportReportOut, summary="Rejected rows of an import"
)
def import_report(request, job_id: int, format: str = "json"):
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([_("row"), _("field"), _("message")])
        for error in selectors.import_row_errors(job=job, limit=None).iterator():
            writer.writerow([error.row_number, error.field, error.message])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected.csv"'
        return response
    if format != "json":
        raise ValidationFailed(_("The report format is json or csv."), field="format")
    return {"job": job, "errors": list(selectors.import_row_errors(job=job))}


@router.post(
    "/imports/{job_id}/undo",
    response={202: ImportJobOut},
    summary="Undo a whole import (runs in the background; asked again, finishes a stopped one)",
    description=(
        "Refused (409) while customers of the import are in a merge made since: undo those "
        "merges first. Created customers that gained records since are kept; fields changed "
        "since are left as they are. Both are listed in the undo report."
    ),
)
def import_undo(request, job_id: int):
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    importing.import_job_undo(job=job, by=request.user)
    return Status(202, selectors.import_job_get(user=request.user, job_id=job_id))


@router.get(
    "/imports/{job_id}/undo-report",
    response=UndoReportOut,
    summary="What the undo of an import left in place, and why",
)
def import_undo_report(request, job_id: int, offset: int = 0, limit: int = 200):
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    notes = selectors.import_undo_notes(job=job, offset=offset, limit=limit)
    return {"count": job.undo_notes.count(), "notes": notes}
