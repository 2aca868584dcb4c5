"""The cases API: list, read, open, assign, change status, messages, files."""

from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from panorama.accounts.models import User
from panorama.core.exceptions import ValidationFailed

from .. import selectors
from ..models import CaseMessage
from ..schemas import (
    CaseAssignIn,
    CaseFileOut,
    CaseIn,
    CaseMessageIn,
    CaseMessageOut,
    CaseOut,
    CasePageOut,
    CaseStatusIn,
    CaseUpdateIn,
)
from ..services.attachment import case_attachment_remove, case_attachment_restore
from ..services.case import case_assign, case_message_add, case_open, case_set_status
from ..services.case_edit import case_update

router = Router(tags=["cases"])


@router.get("/cases", response=CasePageOut)
def case_list(
    request,
    customer_id: int | None = None,
    queue_id: int | None = None,
    owner_id: int | None = None,
    status: str = "",
    open_only: bool = False,
    cursor: str = "",
    limit: int = 50,
):
    page = selectors.case_list(
        user=request.user,
        customer_id=customer_id,
        queue_id=queue_id,
        owner_id=owner_id,
        status=status,
        open_only=open_only,
        cursor=cursor,
        limit=limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/cases/{case_id}", response=CaseOut)
def case_detail(request, case_id: int):
    return selectors.case_get(user=request.user, case_id=case_id)


@router.patch("/cases/{case_id}", response=CaseOut, summary="Change a case's details")
def case_change(request, case_id: int, payload: CaseUpdateIn):
    """Change the type, priority, queue, product or asset of a case (only the fields
    sent; ``null`` empties a queue, product or asset). 422 naming the field for an
    unknown type or priority, an inactive queue, a product that does not exist or an
    asset not of the case's customer; 403 for a read-only role; 404 for a case you do
    not see. What changed goes on the case's thread as an internal note. A new
    priority recomputes the SLA due times of an open case (``first_response_due``,
    ``resolution_due``) from its opening, under the policy for that priority; a new
    queue, product or asset does the same when it gives the case another policy."""
    changes = payload.dict(exclude_unset=True)
    case_update(by=request.user, case_id=case_id, changes=changes)
    return selectors.case_get(user=request.user, case_id=case_id)


@router.post("/cases", response={201: CaseOut})
def case_create(request, payload: CaseIn):
    return Status(201, case_open(by=request.user, **payload.dict()))


@router.post("/cases/{case_id}/status", response=CaseOut)
def case_status(request, case_id: int, payload: CaseStatusIn):
    return case_set_status(by=request.user, case_id=case_id, **payload.dict())


@router.post("/cases/{case_id}/assign", response=CaseOut)
def case_owner(request, case_id: int, payload: CaseAssignIn):
    owner = None
    if payload.owner_id is not None:
        owner = User.objects.filter(pk=payload.owner_id, is_active=True).first()
        if owner is None:
            raise ValidationFailed(
                _("User %(id)s does not exist.") % {"id": payload.owner_id}, field="owner_id"
            )
    return case_assign(by=request.user, case_id=case_id, owner=owner)


@router.get("/cases/{case_id}/messages", response=list[CaseMessageOut])
def case_message_list(request, case_id: int):
    case = selectors.case_get(user=request.user, case_id=case_id)
    return selectors.case_messages(case=case)


@router.post("/cases/{case_id}/messages", response={201: CaseMessageOut})
def case_message_create(request, case_id: int, payload: CaseMessageIn):
    message = case_message_add(by=request.user, case_id=case_id, **payload.dict())
    message.refresh_from_db()  # a reply's delivery ran after the commit
    return Status(201, message)


@router.get("/cases/{case_id}/files", response=list[CaseFileOut], summary="A case's files")
def case_attachment_list(request, case_id: int):
    """The files agents attached to the case's replies and notes, oldest first (the
    customer's own e-mail attachments stay with his e-mails)."""
    case = selectors.case_get(user=request.user, case_id=case_id)
    return selectors.case_attachments(case=case)


@router.post(
    "/cases/{case_id}/files", response={201: CaseMessageOut}, summary="Attach files to a case"
)
def case_attachment_upload(
    request,
    case_id: int,
    files: File[list[UploadedFile]],
    body: Form[str],
    kind: Form[str] = CaseMessage.Kind.NOTE,
):
    """Attach files (multipart, field ``files``, repeated) with the message they go
    with: an internal ``note`` (the default) or a ``reply`` to the customer, whose files
    go out with its e-mail. The same rules as on the case page: at most 5 files, each
    within the size limit, documents, images, spreadsheets, text or zip; else 422
    naming the file, and nothing is kept."""
    message = case_message_add(
        by=request.user, case_id=case_id, body=body, kind=kind, attachments=files
    )
    message.refresh_from_db()  # a reply's delivery ran after the commit
    return Status(201, message)


@router.get(
    "/cases/{case_id}/files/{attachment_id}", response={200: None}, summary="Download a case's file"
)
def case_attachment_download(request, case_id: int, attachment_id: int):
    """Download a file an agent attached to a message of the case."""
    attachment = selectors.case_attachment_get(
        user=request.user, case_id=case_id, attachment_id=attachment_id
    )
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )


@router.delete(
    "/cases/{case_id}/files/{attachment_id}",
    response={204: None},
    summary="Remove a file attached by mistake",
)
def case_attachment_delete(request, case_id: int, attachment_id: int):
    """Remove a file an agent attached to a reply or note: it is no longer listed nor
    downloadable; who removed it and when goes on the customer's timeline. 403 for a
    read-only role, 404 for a case you do not see or a file not of it, 409 for a file
    removed already."""
    case_attachment_remove(by=request.user, case_id=case_id, attachment_id=attachment_id)
    return Status(204, None)


@router.post(
    "/cases/{case_id}/files/{attachment_id}/restore",
    response=CaseFileOut,
    summary="Restore a removed file",
)
def case_attachment_restore_route(request, case_id: int, attachment_id: int):
    """Put back a removed file: listed and downloadable again, the restore on the
    customer's timeline. 403 for a read-only role, 404 for a case you do not see or a
    file not of it, 409 for a file not removed."""
    return case_attachment_restore(by=request.user, case_id=case_id, attachment_id=attachment_id)
