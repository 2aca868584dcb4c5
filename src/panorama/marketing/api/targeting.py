"""The marketing API's segment targeting: priority, team and offers, and the alerts shown
on the ficha of the segment's customers."""

from ninja import Status

from .. import selectors
from ..schemas import SegmentAlertIn, SegmentAlertOut, SegmentOut, SegmentTargetingIn
from ..services import targeting
from . import router


@router.put("/marketing/segments/{segment_id}/targeting", response=SegmentOut)
def segment_targeting(request, segment_id: int, payload: SegmentTargetingIn):
    """The segment's priority (0 to 100, higher first on the ficha), the team it is kept
    to (null: the whole staff) and the catalogue products its customers are eligible for."""
    segment = selectors.segment_get(segment_id=segment_id, user=request.user)
    return targeting.segment_targeting_set(by=request.user, segment=segment, **payload.dict())


@router.get("/marketing/segments/{segment_id}/alerts", response=list[SegmentAlertOut])
def segment_alert_list(request, segment_id: int):
    segment = selectors.segment_get(segment_id=segment_id, user=request.user)
    return selectors.segment_alerts(segment=segment)


@router.post("/marketing/segments/{segment_id}/alerts", response={201: SegmentAlertOut})
def segment_alert_create(request, segment_id: int, payload: SegmentAlertIn):
    """An alert shown on the ficha of every customer in the segment (to whoever may see
    the segment) while active and within its dates."""
    segment = selectors.segment_get(segment_id=segment_id, user=request.user)
    return Status(
        201, targeting.segment_alert_save(by=request.user, segment=segment, **payload.dict())
    )


@router.put("/marketing/segment-alerts/{alert_id}", response=SegmentAlertOut)
def segment_alert_update(request, alert_id: int, payload: SegmentAlertIn):
    alert = selectors.segment_alert_get(user=request.user, alert_id=alert_id)
    return targeting.segment_alert_save(
        by=request.user, segment=alert.segment, alert=alert, **payload.dict()
    )
