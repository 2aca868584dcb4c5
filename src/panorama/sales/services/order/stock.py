"""The stock an order holds, while no ERP is connected (``catalog.services.stock`` moves
the products' fields; the rule is in its docstring): confirmed reserves, shipped uses
up, cancelled releases.

An order line holds stock in *slots*: its own product (``OrderLine.reserved`` and
``backordered``) and, for a bundle, each option of the line that is a catalogue
product (``ProductOption.component``), one unit of it per unit of the line, fixed when
the order is placed (``OrderLine.components``). Untracked products hold nothing.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from panorama.accounts.models import User
from panorama.catalog.models import Product
from panorama.catalog.selectors.options import option_components
from panorama.catalog.services.stock import OrderRef, stock_release, stock_reserve, stock_ship

from ...models import Order, OrderLine


def order_ref(order: Order) -> OrderRef:
    """What the catalogue's stock movements keep of the order they are for."""
    return OrderRef(id=order.pk, reference=order.reference or "")


def _units(line: OrderLine) -> int:
    return math.ceil(line.quantity)


def order_components(lines: Sequence[OrderLine]) -> None:
    """Fix each line's components (its options that are catalogue products), in one
    query, before the lines are saved."""
    found = option_components(
        (line.product_id, code) for line in lines for code in line.options or ()
    )
    for line in lines:
        line.components = [
            {"product_id": found[key], "units": _units(line), "reserved": 0, "backordered": 0}
            for key in ((line.product_id, code) for code in line.options or ())
            if key in found
        ]


def _slots(line: OrderLine) -> list[dict]:
    own = {
        "product_id": line.product_id,
        "units": _units(line),
        "reserved": line.reserved,
        "backordered": line.backordered,
    }
    return [own, *(dict(c) for c in line.components or ())]


def _write(line: OrderLine, slots: list[dict]) -> None:
    line.reserved, line.backordered = slots[0]["reserved"], slots[0]["backordered"]
    line.components = slots[1:]


def order_reserve(order: Order, lines: Sequence[OrderLine], *, by: User | None) -> None:
    """Reserve the lines' stock (confirmed): each slot gets what is free, in order; the
    rest of it is on backorder (``Order.backorder``)."""
    slots = [(line, _slots(line)) for line in lines]
    wanted: dict[int, int] = {}
    for _line, held in slots:
        for slot in held:
            wanted[slot["product_id"]] = wanted.get(slot["product_id"], 0) + slot["units"]
    got = stock_reserve(by=by, units=wanted, order=order_ref(order))
    for line, held in slots:
        for slot in held:
            if slot["product_id"] in got:
                slot["reserved"] = min(slot["units"], got[slot["product_id"]])
                got[slot["product_id"]] -= slot["reserved"]
                slot["backordered"] = slot["units"] - slot["reserved"]
        _write(line, held)
    order.backorder = any(slot["backordered"] for _line, held in slots for slot in held)


def order_stock_follow(order: Order, to: str, *, by: User | None) -> None:
    """Confirmed: reserve; shipped: use up (or refuse, naming the product); cancelled:
    release. Other moves hold no stock."""
    if to not in (Order.Status.CONFIRMED, Order.Status.SHIPPED, Order.Status.CANCELLED):
        return
    lines = list(order.lines.all())
    if to == Order.Status.CONFIRMED:
        order_reserve(order, lines, by=by)
    else:
        units: dict[int, int] = {}
        held: dict[int, int] = {}
        for line in lines:
            for slot in _slots(line):
                pk = slot["product_id"]
                units[pk] = units.get(pk, 0) + slot["units"]
                held[pk] = held.get(pk, 0) + slot["reserved"]
        if to == Order.Status.SHIPPED:
            stock_ship(by=by, units=units, held=held, order=order_ref(order))
        else:
            stock_release(by=by, units=held, order=order_ref(order))
        for line in lines:
            _write(line, [{**s, "reserved": 0, "backordered": 0} for s in _slots(line)])
        order.backorder = False
    OrderLine.objects.bulk_update(lines, ["reserved", "backordered", "components"])


@dataclass(frozen=True)
class Missing:
    """What a confirmed order on backorder waits for, for one product."""

    product: Product
    waiting: int  # units the order's lines (and bundles' components) wait for
    free: int  # units free in stock now
    short: int  # what no stock covers yet: what a receipt must bring

    @property
    def covered(self) -> bool:
        return self.short == 0


def order_missing(order: Order) -> list[Missing]:
    """Per product, what a confirmed order on backorder waits for and what is still short
    (one query for the products; the lines are the order's, already loaded)."""
    if order.status != Order.Status.CONFIRMED or not order.backorder:
        return []
    waiting: dict[int, int] = {}
    for line in order.lines.all():
        for slot in _slots(line):
            if slot["backordered"]:
                pk = slot["product_id"]
                waiting[pk] = waiting.get(pk, 0) + slot["backordered"]
    products = Product.objects.in_bulk(list(waiting))
    return [
        Missing(
            product=products[pk],
            waiting=n,
            free=products[pk].stock_available,
            short=max(n - products[pk].stock_available, 0),
        )
        for pk, n in sorted(waiting.items(), key=lambda item: products[item[0]].name)
        if pk in products
    ]


def order_backorder_fill(order: Order, lines: Sequence[OrderLine], *, by: User | None) -> None:
    """Reserve for the order's backordered slots what is free now (a receipt came in),
    so another order cannot take it first; what stays missing stays on backorder."""
    slots = [(line, _slots(line)) for line in lines]
    wanted: dict[int, int] = {}
    for _line, held in slots:
        for slot in held:
            if slot["backordered"]:
                pk = slot["product_id"]
                wanted[pk] = wanted.get(pk, 0) + slot["backordered"]
    got = stock_reserve(by=by, units=wanted, order=order_ref(order))
    for line, held in slots:
        for slot in held:
            take = min(slot["backordered"], got.get(slot["product_id"], 0))
            if take:
                got[slot["product_id"]] -= take
                slot["reserved"] += take
                slot["backordered"] -= take
        _write(line, held)
    order.backorder = any(slot["backordered"] for _line, held in slots for slot in held)
    OrderLine.objects.bulk_update(list(lines), ["reserved", "backordered", "components"])
