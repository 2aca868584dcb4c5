"""The defects API (quality) and the service reports."""

import datetime

from ninja import Router, Status

from ..schemas import (
    DefectAssetIn,
    DefectCaseIn,
    DefectDetailOut,
    DefectIn,
    DefectOut,
    DefectPageOut,
    DefectReportOut,
    DefectStatusIn,
    DefectUpdateIn,
    ServiceReportOut,
)
from ..selectors import defects as selectors
from ..selectors.reports import service_report
from ..services import defect as services

router = Router(tags=["defects"])


@router.get("/defects", response=DefectPageOut)
def defect_list(
    request,
    product_id: int | None = None,
    status: str = "",
    severity: str = "",
    open_only: bool = False,
    cursor: str = "",
    limit: int = 50,
):
    page = selectors.defect_list(
        user=request.user,
        product_id=product_id,
        status=status,
        severity=severity,
        open_only=open_only,
        cursor=cursor,
        limit=limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/defects/report", response=DefectReportOut)
def defect_report(request, months: int = 12):
    return selectors.defect_report(months=months)


def _detail(request, defect):
    assets, hidden = selectors.defect_assets(user=request.user, defect=defect)
    defect.asset_ids, defect.hidden_assets = [a.pk for a in assets], hidden
    return defect


@router.get("/defects/{defect_id}", response=DefectDetailOut)
def defect_detail(request, defect_id: int):
    return _detail(request, selectors.defect_get(defect_id=defect_id))


@router.post("/defects", response={201: DefectOut})
def defect_create(request, payload: DefectIn):
    data = payload.dict()
    case_id = data.pop("case_id")
    defect = services.defect_report(
        by=request.user, data=services.DefectData(**data), case_id=case_id
    )
    return Status(201, defect)


@router.patch("/defects/{defect_id}", response=DefectOut)
def defect_update(request, defect_id: int, payload: DefectUpdateIn):
    changes = payload.dict(exclude_unset=True)
    return services.defect_update(by=request.user, defect_id=defect_id, **changes)


@router.post("/defects/{defect_id}/status", response=DefectOut)
def defect_status(request, defect_id: int, payload: DefectStatusIn):
    return services.defect_set_status(by=request.user, defect_id=defect_id, **payload.dict())


@router.post("/defects/{defect_id}/cases", response=DefectOut)
def defect_case_link(request, defect_id: int, payload: DefectCaseIn):
    return services.defect_link_case(by=request.user, defect_id=defect_id, case_id=payload.case_id)


@router.delete("/defects/{defect_id}/cases/{case_id}", response=DefectOut)
def defect_case_unlink(request, defect_id: int, case_id: int):
    return services.defect_unlink_case(by=request.user, defect_id=defect_id, case_id=case_id)


reports = Router(tags=["service reports"])


@reports.get("/reports/service", response=ServiceReportOut)
def service_report_api(
    request, date_from: datetime.date | None = None, date_to: datetime.date | None = None
):
    return service_report(user=request.user, date_from=date_from, date_to=date_to)


@router.post("/defects/{defect_id}/assets", response=DefectDetailOut)
def defect_asset_link(request, defect_id: int, payload: DefectAssetIn):
    services.defect_link_asset(by=request.user, defect_id=defect_id, asset_id=payload.asset_id)
    return _detail(request, selectors.defect_get(defect_id=defect_id))


@router.delete("/defects/{defect_id}/assets/{asset_id}", response=DefectDetailOut)
def defect_asset_unlink(request, defect_id: int, asset_id: int):
    services.defect_unlink_asset(by=request.user, defect_id=defect_id, asset_id=asset_id)
    return _detail(request, selectors.defect_get(defect_id=defect_id))
