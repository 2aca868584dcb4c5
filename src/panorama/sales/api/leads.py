"""The leads API."""

from ninja import Router, Status

from ..models import Lead
from ..schemas import LeadIn, LeadOut
from ..services.lead import lead_create

router = Router(tags=["leads"])


@router.post("/leads", response={201: LeadOut})
def lead_capture(request, payload: LeadIn):
    return Status(201, lead_create(by=request.user, source=Lead.Source.API, **payload.dict()))
