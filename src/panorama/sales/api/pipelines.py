"""The sales configuration API: pipelines and their stages, lost reasons, competitors.
Reads for every user (the board and the forms need them); writes for
``sales.configure_pipelines``."""

from ninja import Router, Status

from .. import selectors
from ..schemas import (
    CompetitorIn,
    CompetitorOut,
    CompetitorPatch,
    LostReasonIn,
    LostReasonOut,
    LostReasonPatch,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    StageIn,
    StageOrderIn,
    StageOut,
    StagePatch,
)
from ..services import pipeline as config

router = Router(tags=["pipelines"])


def _pipeline(pipeline_id: int):
    return selectors.pipelines_all().get(pk=pipeline_id)


@router.get("/pipelines", response=list[PipelineOut])
def pipeline_list(request):
    return list(selectors.pipelines_all())


@router.post("/pipelines", response={201: PipelineOut})
def pipeline_create(request, payload: PipelineIn):
    pipeline = config.pipeline_create(by=request.user, **payload.dict())
    return Status(201, _pipeline(pipeline.pk))


@router.patch("/pipelines/{pipeline_id}", response=PipelineOut)
def pipeline_update(request, pipeline_id: int, payload: PipelinePatch):
    config.pipeline_update(
        by=request.user, pipeline_id=pipeline_id, changes=payload.dict(exclude_unset=True)
    )
    return _pipeline(pipeline_id)


@router.post("/pipelines/{pipeline_id}/stages", response={201: StageOut})
def stage_create(request, pipeline_id: int, payload: StageIn):
    values = payload.dict(exclude_unset=True)
    return Status(201, config.stage_create(by=request.user, pipeline_id=pipeline_id, **values))


@router.put("/pipelines/{pipeline_id}/stages/order", response=list[StageOut])
def stage_reorder(request, pipeline_id: int, payload: StageOrderIn):
    return config.stage_reorder(
        by=request.user, pipeline_id=pipeline_id, stage_ids=payload.stage_ids
    )


@router.patch("/stages/{stage_id}", response=StageOut)
def stage_update(request, stage_id: int, payload: StagePatch):
    return config.stage_update(
        by=request.user, stage_id=stage_id, changes=payload.dict(exclude_unset=True)
    )


@router.delete("/stages/{stage_id}", response={204: None})
def stage_delete(request, stage_id: int):
    config.stage_delete(by=request.user, stage_id=stage_id)
    return Status(204, None)


@router.get("/lost-reasons", response=list[LostReasonOut])
def lost_reason_list(request):
    return list(selectors.lost_reasons())


@router.post("/lost-reasons", response={201: LostReasonOut})
def lost_reason_create(request, payload: LostReasonIn):
    return Status(201, config.lost_reason_create(by=request.user, **payload.dict()))


@router.patch("/lost-reasons/{reason_id}", response=LostReasonOut)
def lost_reason_update(request, reason_id: int, payload: LostReasonPatch):
    return config.lost_reason_update(
        by=request.user, reason_id=reason_id, changes=payload.dict(exclude_unset=True)
    )


@router.get("/competitors", response=list[CompetitorOut])
def competitor_list(request):
    return list(selectors.competitors())


@router.post("/competitors", response={201: CompetitorOut})
def competitor_create(request, payload: CompetitorIn):
    return Status(201, config.competitor_create(by=request.user, **payload.dict()))


@router.patch("/competitors/{competitor_id}", response=CompetitorOut)
def competitor_update(request, competitor_id: int, payload: CompetitorPatch):
    return config.competitor_update(
        by=request.user, competitor_id=competitor_id, changes=payload.dict(exclude_unset=True)
    )
