"""The quotes API: list (scoped, keyset), read, create, lines, terms, versions,
approval, send and the PDF."""

from django.http import HttpResponse
from ninja import Router, Status

from ..pdf import quote_pdf
from ..schemas.quotes import (
    QuoteDecisionIn,
    QuoteIn,
    QuoteLineIn,
    QuoteLinePatch,
    QuoteOut,
    QuotePageOut,
    QuotePatch,
    QuoteSendIn,
)
from ..selectors.quotes import quote_get, quote_list
from ..services import quote as service

router = Router(tags=["quotes"])


def _site(request) -> str:
    return request.build_absolute_uri("/")


def _out(request, quote_id: int):
    return quote_get(user=request.user, quote_id=quote_id)


@router.get("/quotes", response=QuotePageOut)
def quotes(
    request, customer_id: int | None = None, status: str = "", cursor: str = "", limit: int = 50
):
    page = quote_list(
        user=request.user, customer_id=customer_id, status=status, cursor=cursor, limit=limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/quotes/{quote_id}", response=QuoteOut)
def quote_detail(request, quote_id: int):
    return _out(request, quote_id)


@router.post("/quotes", response={201: QuoteOut})
def quote_create(request, payload: QuoteIn):
    data = payload.dict()
    lines = [service.LineData(**line) for line in data.pop("lines")]
    quote = service.quote_create(by=request.user, lines=lines, **data)
    return Status(201, _out(request, quote.pk))


@router.patch("/quotes/{quote_id}", response=QuoteOut)
def quote_update(request, quote_id: int, payload: QuotePatch):
    """Change the terms of a quote still open to changes; its lines are priced again
    (an approval asked for or given is void). A field left out stays as it is."""
    data = payload.dict(exclude_unset=True)
    if "financing_plan_id" in data and data["financing_plan_id"] is None:
        del data["financing_plan_id"]
        data["clear_financing"] = True
    service.quote_update(by=request.user, quote_id=quote_id, **data)
    return _out(request, quote_id)


@router.post("/quotes/{quote_id}/lines", response={201: QuoteOut})
def quote_line_add(request, quote_id: int, payload: QuoteLineIn):
    service.quote_line_add(
        by=request.user, quote_id=quote_id, line=service.LineData(**payload.dict())
    )
    return Status(201, _out(request, quote_id))


@router.patch("/quotes/{quote_id}/lines/{line_id}", response=QuoteOut)
def quote_line_update(request, quote_id: int, line_id: int, payload: QuoteLinePatch):
    service.quote_line_update(
        by=request.user, quote_id=quote_id, line_id=line_id, **payload.dict(exclude_unset=True)
    )
    return _out(request, quote_id)


@router.delete("/quotes/{quote_id}/lines/{line_id}", response=QuoteOut)
def quote_line_remove(request, quote_id: int, line_id: int):
    service.quote_line_remove(by=request.user, quote_id=quote_id, line_id=line_id)
    return _out(request, quote_id)


@router.post("/quotes/{quote_id}/versions", response={201: QuoteOut})
def quote_version(request, quote_id: int):
    """A new draft version that copies the lines; the old one stays as it was."""
    new = service.quote_new_version(by=request.user, quote_id=quote_id)
    return Status(201, _out(request, new.pk))


@router.post("/quotes/{quote_id}/approval", response=QuoteOut)
def quote_request_approval(request, quote_id: int, payload: QuoteDecisionIn):
    """Ask a manager to approve a manual discount above the threshold."""
    service.quote_request_approval(
        by=request.user, quote_id=quote_id, comment=payload.comment, base_url=_site(request)
    )
    return _out(request, quote_id)


@router.post("/quotes/{quote_id}/approve", response=QuoteOut)
def quote_approve(request, quote_id: int, payload: QuoteDecisionIn):
    service.quote_approve(
        by=request.user, quote_id=quote_id, comment=payload.comment, base_url=_site(request)
    )
    return _out(request, quote_id)


@router.post("/quotes/{quote_id}/reject", response=QuoteOut)
def quote_reject(request, quote_id: int, payload: QuoteDecisionIn):
    """Reject the discount; the comment (why) is required."""
    service.quote_reject(
        by=request.user, quote_id=quote_id, comment=payload.comment, base_url=_site(request)
    )
    return _out(request, quote_id)


@router.post("/quotes/{quote_id}/send", response=QuoteOut)
def quote_send(request, quote_id: int, payload: QuoteSendIn):
    """E-mail the PDF with the acceptance link to the customer."""
    service.quote_send(
        by=request.user, quote_id=quote_id, email=payload.email, base_url=_site(request)
    )
    return _out(request, quote_id)


@router.get(
    "/quotes/{quote_id}/pdf",
    response={200: bytes},
    openapi_extra={
        "responses": {200: {"content": {"application/pdf": {}}, "description": "The PDF"}}
    },
)
def quote_pdf_download(request, quote_id: int):
    quote = _out(request, quote_id)
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{quote.reference}.pdf"'
    return response
