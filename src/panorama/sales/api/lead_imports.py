"""Lead imports: upload a CSV/XLSX (the guessed mapping comes back), run it with the
mapping (202: the task worker imports it; GET shows the progress, then the report:
rejected rows, all of them as CSV), undo it."""

import json

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from panorama.core.exceptions import ValidationFailed

from ..schemas import LeadImportOut, LeadImportRunIn
from ..services import lead_import as importing
from ..services.lead_import_jobs import lead_import_start

router = Router(tags=["lead imports"])


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


@router.post(
    "/lead-imports",
    response={201: LeadImportOut, 202: LeadImportOut},
    summary="Upload a file of leads",
)
def lead_import_create(
    request,
    file: File[UploadedFile],
    mapping: Form[str] = "",
    assign_by_rules: Form[bool] = False,
):
    """Checks the file and guesses the mapping. With ``mapping`` (a JSON object column →
    lead field) the import is queued at once (202; follow it with GET); without it (201),
    review the guess and call ``run``."""
    job = importing.lead_import_create(by=request.user, upload=file)
    chosen = _mapping(mapping)
    if chosen is None:
        return Status(201, job)
    job = lead_import_start(
        by=request.user, import_id=job.pk, mapping=chosen, assign_by_rules=assign_by_rules
    )
    return Status(202, job)


@router.get(
    "/lead-imports/{import_id}",
    response=LeadImportOut,
    summary="A lead import's progress and report",
)
def lead_import_read(request, import_id: int):
    return importing.lead_import_get(user=request.user, import_id=import_id)


@router.post(
    "/lead-imports/{import_id}/run", response={202: LeadImportOut}, summary="Run a lead import"
)
def lead_import_run(request, import_id: int, payload: LeadImportRunIn):
    """Queues the import for the task worker (202): no lead exists yet when it answers;
    GET the import for its progress (``processed_rows`` of ``total_rows``) and report."""
    job = lead_import_start(
        by=request.user,
        import_id=import_id,
        mapping=payload.mapping,
        assign_by_rules=payload.assign_by_rules,
    )
    return Status(202, job)


@router.post("/lead-imports/{import_id}/undo", response=LeadImportOut, summary="Undo a lead import")
def lead_import_undo(request, import_id: int):
    return importing.lead_import_undo(by=request.user, import_id=import_id)


@router.get("/lead-imports/{import_id}/rejected.csv", summary="Every rejected row as CSV")
def lead_import_rejected(request, import_id: int):
    job = importing.lead_import_get(user=request.user, import_id=import_id)
    response = StreamingHttpResponse(
        importing.lead_import_rejected_csv(job=job), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="lead-import-{job.pk}-rejected.csv"'
    return response
