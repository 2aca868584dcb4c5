"""/api/v1/channels/faxes/...: receive a fax (the gateway or a scanner posts it), read
one, its document and preview, link an unknown sender's, open a case from it, fax a
customer, and the gateway's delivery report."""

from django.http import FileResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from . import selectors, services
from .schemas import FaxCaseIn, FaxLinkIn, FaxOut, FaxStatusIn

router = Router(tags=["fax"])


def _read(upload: UploadedFile) -> bytes:
    limit = services.max_fax_bytes()
    if upload.size and upload.size > limit:
        return b"x" * (limit + 1)  # refused by the service with its message
    return upload.read()


@router.post("/channels/faxes", response={201: FaxOut})
def fax_receive(request, number: Form[str], document: File[UploadedFile], note: Form[str] = ""):
    """An inbound fax (PDF or TIFF) from ``number``, e.g. scanned at a branch."""
    return Status(
        201,
        services.fax_receive(by=request.user, number=number, content=_read(document), note=note),
    )


@router.get("/channels/faxes/{fax_id}", response=FaxOut)
def fax_detail(request, fax_id: int):
    return selectors.fax_get(user=request.user, fax_id=fax_id)


@router.get("/channels/faxes/{fax_id}/document", response={200: None})
def fax_document(request, fax_id: int):
    fax = selectors.fax_get(user=request.user, fax_id=fax_id)
    return FileResponse(fax.document.open("rb"), content_type=fax.content_type)


@router.post("/channels/faxes/{fax_id}/link", response=FaxOut)
def fax_link(request, fax_id: int, payload: FaxLinkIn):
    return services.fax_link(
        by=request.user, fax_id=fax_id, customer_id=payload.customer_id, remember=payload.remember
    )


@router.post("/channels/faxes/{fax_id}/case", response={201: FaxOut})
def fax_open_case(request, fax_id: int, payload: FaxCaseIn):
    return Status(
        201, services.fax_open_case(by=request.user, fax_id=fax_id, subject=payload.subject)
    )


@router.post("/channels/faxes/{fax_id}/status", response=FaxOut)
def fax_status(request, fax_id: int, payload: FaxStatusIn):
    """The gateway's delivery report for a fax we sent: delivered or failed."""
    return services.fax_status_set(
        by=request.user, fax_id=fax_id, status=payload.status, error=payload.error
    )


@router.post("/customers/{customer_id}/faxes", response={201: FaxOut})
def fax_send(
    request,
    customer_id: int,
    number: Form[str],
    document: File[UploadedFile],
    cover: Form[str] = "",
):
    """Fax a PDF or TIFF to the customer through the e-mail-to-fax gateway."""
    return Status(
        201,
        services.fax_send(
            by=request.user,
            customer_id=customer_id,
            number=number,
            content=_read(document),
            cover=cover,
        ),
    )


@router.get("/customers/{customer_id}/faxes", response=list[FaxOut])
def fax_list(request, customer_id: int, limit: int = 50):
    return selectors.customer_faxes(user=request.user, customer_id=customer_id, limit=limit)
