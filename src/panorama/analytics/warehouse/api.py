"""The warehouse in the API: its status, and a refresh request (administrators and
analysts), the same service as the status page's button."""

from ninja import Router, Schema

from panorama.accounts.permissions import ensure_can

from . import services, status

router = Router(tags=["warehouse"])


class WarehouseStatusOut(Schema):
    state: str = ""
    kind: str = ""
    finished_at: str | None = None
    seconds: float | None = None
    rows: dict[str, int] = {}
    changed: dict[str, int] = {}
    deleted: dict[str, int] = {}
    error: str = ""


@router.get("/warehouse", response=WarehouseStatusOut)
def warehouse_status(request):
    ensure_can(request.user, "analytics.warehouse_refresh")
    return status.read()


@router.post("/warehouse/refresh", response={202: WarehouseStatusOut})
def warehouse_refresh(request):
    services.warehouse_refresh_request(by=request.user)
    return 202, status.read()
