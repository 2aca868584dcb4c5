"""Customer imports: upload a CSV/XLSX, follow its progress, read its report, undo it."""

import json
from pathlib import Path

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from panorama.core.exceptions import ValidationFailed

from . import selectors
from .schemas import ImportJobOut, ImportReportOut, UndoReportOut
from .services import jobs as importing
from .services.report import import_rejected_csv

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
def import_report(request, job_id: int, format: str = "json", cursor: str = "", limit: int = 200):
    """The rejected rows, a page at a time (``next_cursor``); with ``format=csv`` all of
    them as a file to fix and import again: every column of the original row, then the
    row number and its problems."""
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    if format == "csv":
        response = StreamingHttpResponse(
            import_rejected_csv(job=job), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            content_disposition_header(
                True, f"{Path(job.original_name).stem}-rejected-{job.pk}.csv"
            )
            or "attachment"
        )
        return response
    if format != "json":
        raise ValidationFailed(_("The report format is json or csv."), field="format")
    page = selectors.import_row_error_page(job=job, cursor=cursor, limit=limit)
    headers = job.headers
    return {
        "job": job,
        "rejected_listed": selectors.import_rejected_kept(job),
        "errors": [
            {
                "row_number": e.row_number,
                "field": e.field,
                "message": e.message,
                "problems": e.problems,
                "cells": e.cells,
                "raw": {
                    h: (e.cells[i] if i < len(e.cells) else "") for i, h in enumerate(headers) if h
                },
            }
            for e in page.items
        ],
        "next_cursor": page.next_cursor,
    }


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
