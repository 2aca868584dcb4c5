"""The opportunities API: list, read, open, edit, move, stage history; the board of a
pipeline and the win/loss analysis."""

import datetime

from django.db.models import prefetch_related_objects
from ninja import Router, Status

from .. import selectors
from ..schemas import (
    BoardOut,
    OpportunityIn,
    OpportunityMoveIn,
    OpportunityOut,
    OpportunityPageOut,
    OpportunityPatch,
    StageChangeOut,
    WinLossOut,
)
from ..services.opportunity import opportunity_create, opportunity_move, opportunity_update
from ..winloss import WinLossFilters, win_loss

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
    """The moved opportunity as the service left it (its stage and customer read with
    its lock); only its products are read again."""
    moved = opportunity_move(by=request.user, opportunity_id=opportunity_id, **payload.dict())
    prefetch_related_objects([moved], "lines__product")
    return moved


@router.patch("/opportunities/{opportunity_id}", response=OpportunityOut)
def opportunity_edit(request, opportunity_id: int, payload: OpportunityPatch):
    opportunity_update(
        by=request.user, opportunity_id=opportunity_id, changes=payload.dict(exclude_unset=True)
    )
    return selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)


@router.get("/opportunities/{opportunity_id}/stages", response=list[StageChangeOut])
def opportunity_stage_history(request, opportunity_id: int):
    return selectors.stage_history(user=request.user, opportunity_id=opportunity_id)


@router.get("/pipelines/{pipeline_id}/board", response=BoardOut, tags=["pipelines"])
def pipeline_board(request, pipeline_id: int):
    """The board as the caller sees it: each stage's count and sum (company currency)
    and its first 50 cards; a column's next cards through ``/stages/{id}/cards``."""
    board = selectors.pipeline_board(user=request.user, pipeline_id=pipeline_id)
    return {
        "pipeline_id": board.pipeline.pk,
        "pipeline_name": board.pipeline.name,
        "currency": board.currency,
        "columns": [
            {
                "stage_id": c.stage.pk,
                "stage_name": c.stage.name,
                "kind": c.stage.kind,
                "count": c.count,
                "total": c.total,
                "cards": c.cards,
                "next_cursor": c.next_cursor,
            }
            for c in board.columns
        ],
    }


@router.get("/win-loss", response=WinLossOut)
def opportunity_win_loss(
    request,
    pipeline_id: int | None = None,
    owner_id: int | None = None,
    team_id: int | None = None,
    closed_from: datetime.date | None = None,
    closed_to: datetime.date | None = None,
    period: str = "month",
):
    """Won and lost opportunities closed in the period, by lost reason, by the stage
    they were lost at, by rep and by month or quarter (the caller's scope)."""
    filters = WinLossFilters(
        pipeline_id=pipeline_id,
        owner_id=owner_id,
        team_id=team_id,
        closed_from=closed_from,
        closed_to=closed_to,
        period=period,
    )
    return {
        **win_loss(user=request.user, filters=filters),
        "currency": selectors.company_currency(),
    }
