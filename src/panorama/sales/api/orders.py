"""The orders API: list (scoped, keyset), read, place directly, move through the
lifecycle."""

from ninja import Router, Status

from ..schemas.quotes import (
    OrderIn,
    OrderOut,
    OrderPageOut,
    OrderStockReceiptIn,
    OrderTransitionIn,
)
from ..selectors.quotes import order_get, order_list
from ..services.order import order_create, order_stock_receive, order_transition
from ..services.quote import LineData

router = Router(tags=["orders"])


@router.get("/orders", response=OrderPageOut)
def orders(
    request, customer_id: int | None = None, status: str = "", cursor: str = "", limit: int = 50
):
    page = order_list(
        user=request.user, customer_id=customer_id, status=status, cursor=cursor, limit=limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/orders/{order_id}", response=OrderOut)
def order_detail(request, order_id: int):
    return order_get(user=request.user, order_id=order_id)


@router.post("/orders", response={201: OrderOut})
def order_place(request, payload: OrderIn):
    data = payload.dict()
    lines = [LineData(**line) for line in data.pop("lines")]
    order = order_create(by=request.user, lines=lines, **data)
    return Status(201, order_get(user=request.user, order_id=order.pk))


@router.post("/orders/{order_id}/transition", response=OrderOut)
def order_move(request, order_id: int, payload: OrderTransitionIn):
    order_transition(by=request.user, order_id=order_id, to=payload.to)
    return order_get(user=request.user, order_id=order_id)


@router.post(
    "/orders/{order_id}/stock-receipts",
    response={201: OrderOut},
    summary="Receive stock a confirmed order on backorder is missing",
    description="For catalogue managers who can see the order. The units go on hand "
    "(a stock movement for this order) and are reserved for it; `backorder` turns false "
    "when nothing is missing, and the order can ship. 422 for a product the order does "
    "not wait for, or a quantity not above 0.",
)
def order_receive(request, order_id: int, payload: OrderStockReceiptIn):
    order_stock_receive(by=request.user, order_id=order_id, **payload.dict())
    return Status(201, order_get(user=request.user, order_id=order_id))
