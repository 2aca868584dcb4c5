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

from panorama.accounts.models import User
from panorama.catalog.selectors.options import option_components
from panorama.catalog.services.stock import stock_release, stock_reserve, stock_ship

from ...models import Order, OrderLine


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
    got = stock_reserve(by=by, units=wanted)
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
            stock_ship(by=by, units=units, held=held)
        else:
            stock_release(by=by, units=held)
        for line in lines:
            _write(line, [{**s, "reserved": 0, "backordered": 0} for s in _slots(line)])
        order.backorder = False
    OrderLine.objects.bulk_update(lines, ["reserved", "backordered", "components"])
