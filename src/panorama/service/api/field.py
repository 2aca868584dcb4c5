"""The field service API under ``/service/``: the installed base and its coverage,
contracts, work orders (dispatch, status, parts, signature, completion) and stock."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from panorama.core.exceptions import ValidationFailed
from panorama.core.pagination import Keyset

from ..schemas.field import (
    AssetIn,
    AssetOut,
    AssetPageOut,
    AssetPatch,
    CompleteIn,
    ContractCancelIn,
    ContractExtendIn,
    ContractIn,
    ContractOut,
    ContractPatch,
    ContractRenewIn,
    CoverageOut,
    DispatchIn,
    PartMoveOut,
    PartUseIn,
    StockLevelOut,
    TransferIn,
    WorkOrderIn,
    WorkOrderOut,
    WorkOrderPageOut,
    WorkOrderStatusIn,
)
from ..selectors import field as selectors
from ..services import asset as asset_services
from ..services import contract as contract_services
from ..services import contract_edit
from ..services import parts as part_services
from ..services import workorder as services

router = Router(tags=["field service"])

NEWEST = Keyset("-id", types=(int,))


def _limit(limit: int) -> int:
    return max(1, min(limit, 200))


@router.get("/service/assets", response=AssetPageOut)
def asset_list(request, customer_id: int | None = None, cursor: str = "", limit: int = 50):
    qs = selectors.assets_visible_to(request.user).select_related("product")
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    page = NEWEST.page(qs, cursor=cursor, limit=_limit(limit))
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/service/assets/{asset_id}", response=AssetOut)
def asset_detail(request, asset_id: int):
    return selectors.asset_get(user=request.user, asset_id=asset_id)


@router.post("/service/assets", response={201: AssetOut})
def asset_create(request, payload: AssetIn):
    return Status(201, asset_services.asset_register(by=request.user, **payload.dict()))


@router.patch("/service/assets/{asset_id}", response=AssetOut)
def asset_change(request, asset_id: int, payload: AssetPatch):
    """Change the fields given; the same rules as a new asset."""
    return asset_services.asset_update(
        by=request.user, asset_id=asset_id, changes=payload.dict(exclude_unset=True)
    )


@router.get("/service/assets/{asset_id}/coverage", response=CoverageOut)
def asset_coverage(request, asset_id: int, on: datetime.date | None = None):
    asset = selectors.asset_get(user=request.user, asset_id=asset_id)
    on = on or timezone.localdate()
    cover = selectors.asset_coverage(asset, on)
    return {
        "covered": cover.covered,
        "reason": cover.reason,
        "contract_id": cover.contract.pk if cover.contract else None,
        "visits_left": cover.visits_left,
        "hours_left": cover.hours_left,
        "on": on,
    }


@router.get("/service/contracts", response=list[ContractOut])
def contract_list(request, customer_id: int | None = None, limit: int = 50):
    qs = selectors.contracts_visible_to(request.user).prefetch_related("assets", "products")
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    return list(qs.order_by("ends_on", "id")[: _limit(limit)])


@router.get("/service/contracts/{contract_id}", response=ContractOut)
def contract_detail(request, contract_id: int):
    return selectors.contract_get(user=request.user, contract_id=contract_id)


@router.post("/service/contracts", response={201: ContractOut})
def contract_create(request, payload: ContractIn):
    return Status(201, asset_services.contract_create(by=request.user, **payload.dict()))


@router.patch("/service/contracts/{contract_id}", response=ContractOut)
def contract_change(request, contract_id: int, payload: ContractPatch):
    """Change the terms given (name, owner, SLA policy, visits and hours included,
    renewal notice); the others stay. 422: a value refused, with why; 409: cancelled.
    The period changes by ``/extend`` and ``/cancel``."""
    changes = payload.dict(exclude_unset=True)
    contract_edit.contract_update(by=request.user, contract_id=contract_id, changes=changes)
    return selectors.contract_get(user=request.user, contract_id=contract_id)


@router.post("/service/contracts/{contract_id}/renew", response={201: ContractOut})
def contract_renew(request, contract_id: int, payload: ContractRenewIn):
    """A new contract for the next period, same terms (409: cancelled or renewed)."""
    renewal = contract_services.contract_renew(
        by=request.user, contract_id=contract_id, ends_on=payload.ends_on
    )
    return Status(201, renewal)


@router.post("/service/contracts/{contract_id}/extend", response=ContractOut)
def contract_extend(request, contract_id: int, payload: ContractExtendIn):
    """A later end (422: not later; 409: cancelled)."""
    return contract_services.contract_extend(
        by=request.user, contract_id=contract_id, ends_on=payload.ends_on
    )


@router.post("/service/contracts/{contract_id}/cancel", response=ContractOut)
def contract_cancel(request, contract_id: int, payload: ContractCancelIn):
    """Covers nothing from ``on`` (422: outside its period, no reason; 409: cancelled)."""
    return contract_services.contract_cancel(
        by=request.user, contract_id=contract_id, on=payload.on, reason=payload.reason
    )


@router.get("/service/work-orders", response=WorkOrderPageOut)
def work_order_list(
    request,
    status: str = "",
    technician_id: int | None = None,
    customer_id: int | None = None,
    cursor: str = "",
    limit: int = 50,
):
    from ..models import WorkOrder

    if status and status not in WorkOrder.Status.values:
        raise ValidationFailed(_("Unknown status %(value)s.") % {"value": status}, field="status")
    page = selectors.work_order_list(
        user=request.user,
        status=status,
        technician_id=technician_id,
        customer_id=customer_id,
        cursor=cursor,
        limit=limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/service/work-orders/{work_order_id}", response=WorkOrderOut)
def work_order_detail(request, work_order_id: int):
    return selectors.work_order_get(user=request.user, work_order_id=work_order_id)


@router.post("/service/work-orders", response={201: WorkOrderOut})
def work_order_create(request, payload: WorkOrderIn):
    return Status(201, services.work_order_create(by=request.user, **payload.dict()))


@router.post("/service/work-orders/{work_order_id}/dispatch", response=WorkOrderOut)
def work_order_dispatch(request, work_order_id: int, payload: DispatchIn):
    return services.work_order_dispatch(
        by=request.user, work_order_id=work_order_id, **payload.dict()
    )


@router.post("/service/work-orders/{work_order_id}/status", response=WorkOrderOut)
def work_order_status(request, work_order_id: int, payload: WorkOrderStatusIn):
    return services.work_order_set_status(
        by=request.user, work_order_id=work_order_id, status=payload.status
    )


@router.post("/service/work-orders/{work_order_id}/parts", response={201: PartMoveOut})
def work_order_parts(request, work_order_id: int, payload: PartUseIn):
    return Status(
        201,
        part_services.work_order_use_part(
            by=request.user, work_order_id=work_order_id, **payload.dict()
        ),
    )


@router.post("/service/work-orders/{work_order_id}/signature", response=WorkOrderOut)
def work_order_signature(
    request,
    work_order_id: int,
    signature: File[UploadedFile],
    signed_by: Form[str],
):
    """The customer's signature: a PNG or JPEG (multipart), at most 2 MB."""
    if signature.size and signature.size > services.MAX_SIGNATURE_BYTES:
        raise ValidationFailed(
            _("The signature image is too large (2 MB at most)."), field="signature"
        )
    return services.work_order_sign(
        by=request.user,
        work_order_id=work_order_id,
        content=signature.read(),
        signed_by=signed_by,
    )


@router.post("/service/work-orders/{work_order_id}/complete", response=WorkOrderOut)
def work_order_complete(request, work_order_id: int, payload: CompleteIn):
    return services.work_order_complete(
        by=request.user, work_order_id=work_order_id, **payload.dict()
    )


@router.get("/service/stock", response=list[StockLevelOut])
def stock_list(request, location_id: int | None = None, low: bool = False):
    return selectors.stock_levels(location_id=location_id, low_only=low)


@router.post("/service/stock/transfers", response={201: PartMoveOut})
def stock_transfer(request, payload: TransferIn):
    return Status(201, part_services.stock_transfer(by=request.user, **payload.dict()))
