"""The leads API: list (keyset, scoped), read, capture, change, qualify, disqualify,
record activity, look for the customer it may be, convert."""

from ninja import Router, Status

from panorama.customers.services.customer import assignment_resolve

from .. import selectors
from ..models import Lead
from ..schemas import (
    LeadActivityIn,
    LeadActivityOut,
    LeadConvertIn,
    LeadConvertOut,
    LeadDisqualifyIn,
    LeadIn,
    LeadMatchOut,
    LeadOut,
    LeadPageOut,
    LeadPatchIn,
)
from ..services import lead as services
from ..services.lead_convert import lead_convert, lead_matches
from ..services.lead_scoring import leads_rescore

router = Router(tags=["leads"])


def _read(request, lead_id: int) -> Lead:
    return selectors.lead_get(user=request.user, lead_id=lead_id)


@router.get("/leads", response=LeadPageOut)
def lead_list(
    request,
    status: str = "",
    source: str = "",
    owner_id: int | None = None,
    q: str = "",
    cursor: str = "",
    limit: int = 50,
):
    page = selectors.lead_list(
        user=request.user,
        status=status,
        source=source,
        owner_id=owner_id,
        search=q,
        cursor=cursor,
        limit=limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/leads/{lead_id}", response=LeadOut)
def lead_detail(request, lead_id: int):
    return _read(request, lead_id)


@router.post("/leads", response={201: LeadOut})
def lead_capture(request, payload: LeadIn):
    values = payload.dict()
    owner_id, team_id = values.pop("owner_id"), values.pop("team_id")
    owner, team = assignment_resolve(owner_id=owner_id, team_id=team_id)
    lead = services.lead_create(
        by=request.user, source=Lead.Source.API, owner=owner, team=team, **values
    )
    return Status(201, _read(request, lead.pk))


@router.patch("/leads/{lead_id}", response=LeadOut)
def lead_change(request, lead_id: int, payload: LeadPatchIn):
    changes = payload.dict(exclude_unset=True)
    assignment = {k: changes.pop(k) for k in ("owner_id", "team_id") if k in changes}
    if changes:
        services.lead_update(by=request.user, lead_id=lead_id, changes=changes)
    if assignment:
        lead = _read(request, lead_id)
        services.lead_assign(
            by=request.user,
            lead_id=lead_id,
            owner_id=assignment.get("owner_id", lead.owner_id),
            team_id=assignment.get("team_id", lead.team_id),
        )
    return _read(request, lead_id)


@router.post("/leads/{lead_id}/qualify", response=LeadOut)
def lead_qualify(request, lead_id: int):
    services.lead_qualify(by=request.user, lead_id=lead_id)
    return _read(request, lead_id)


@router.post("/leads/{lead_id}/disqualify", response=LeadOut)
def lead_disqualify(request, lead_id: int, payload: LeadDisqualifyIn):
    services.lead_disqualify(by=request.user, lead_id=lead_id, reason=payload.reason)
    return _read(request, lead_id)


@router.get("/leads/{lead_id}/activities", response=list[LeadActivityOut])
def lead_activity_list(request, lead_id: int):
    return selectors.lead_activities(lead=_read(request, lead_id))


@router.post("/leads/{lead_id}/activities", response={201: LeadActivityOut})
def lead_activity_record(request, lead_id: int, payload: LeadActivityIn):
    return Status(
        201, services.lead_activity_record(by=request.user, lead_id=lead_id, **payload.dict())
    )


@router.get("/leads/{lead_id}/matches", response=list[LeadMatchOut])
def lead_match_list(request, lead_id: int):
    """The customers the lead may already be (``identify``, then look-alikes)."""
    matches = lead_matches(user=request.user, lead=_read(request, lead_id))
    return [
        {"customer_id": m.customer.pk, "name": str(m.customer), "reasons": m.reasons}
        for m in matches
    ]


@router.post("/leads/{lead_id}/convert", response=LeadConvertOut)
def lead_conversion(request, lead_id: int, payload: LeadConvertIn):
    """Convert the lead; a 409 lists the customers it may already be (choose one with
    ``customer_id`` or confirm with ``create_new``); converting twice is a 409."""
    done = lead_convert(by=request.user, lead_id=lead_id, **payload.dict())
    return {
        "lead": _read(request, lead_id),
        "customer_id": done.customer.pk,
        "reused_customer": done.reused,
        "opportunity_id": done.opportunity.pk if done.opportunity else None,
    }


@router.post("/lead-scoring/rescore", response=dict[str, int])
def lead_rescore(request):
    """Recompute every open lead's score after the scoring rules changed
    (administrators)."""
    return {"changed": leads_rescore(by=request.user)}
