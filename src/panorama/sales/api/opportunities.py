"""The opportunities API: list, read, open, edit, move, stage history."""

from ninja import Router, Status

from .. import selectors
from ..schemas import (
    OpportunityIn,
    OpportunityMoveIn,
    OpportunityOut,
    OpportunityPageOut,
    OpportunityPatch,
    StageChangeOut,
)
from ..services.opportunity import opportunity_create, opportunity_move, opportunity_update

router = Router(tags=["opportunities"])


@router.get("/opportunities", response=OpportunityPageOut)
def opportunity_list(
    request,
    customer_id: int | None = None,
    pipeline_id: int | None = None,
    status: str = "",
    cursor: str = "",
    limit: int = 50,
):
    page = selectors.opportunity_list(
        user=request.user,
        customer_id=customer_id,
        pipeline_id=pipeline_id,
        status=status,
        cursor=cursor,
        limit=limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/opportunities/{opportunity_id}", response=OpportunityOut)
def opportunity_detail(request, opportunity_id: int):
    return selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)


@router.post("/opportunities", response={201: OpportunityOut})
def opportunity_open(request, payload: OpportunityIn):
    opportunity = opportunity_create(by=request.user, **payload.dict())
    return Status(201, selectors.opportunity_get(user=request.user, opportunity_id=opportunity.pk))


@router.post("/opportunities/{opportunity_id}/move", response=OpportunityOut)
def opportunity_stage_move(request, opportunity_id: int, payload: OpportunityMoveIn):
    opportunity_move(by=request.user, opportunity_id=opportunity_id, **payload.dict())
    return selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)


@router.patch("/opportunities/{opportunity_id}", response=OpportunityOut)
def opportunity_edit(request, opportunity_id: int, payload: OpportunityPatch):
    opportunity_update(
        by=request.user, opportunity_id=opportunity_id, changes=payload.dict(exclude_unset=True)
    )
    return selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)


@router.get("/opportunities/{opportunity_id}/stages", response=list[StageChangeOut])
def opportunity_stage_history(request, opportunity_id: int):
    return selectors.stage_history(user=request.user, opportunity_id=opportunity_id)
