"""Stock moves on the catalogue's own stock fields, while no ERP is connected
(``selectors.stock_kept_here``): an order confirmed reserves, an order shipped uses up
(on hand and reserved both go down), an order cancelled releases, a catalogue manager
receives goods (``stock_receive``: on hand goes up) or corrects the on hand to a count
(``stock_adjust``, with a reason, audited).

These functions are the only writers of ``stock_on_hand`` and ``stock_reserved``: each
move is a ``StockMovement`` (with the order it is for), so reserved is always what the
orders hold and on hand what was received, counted and shipped. The product's form
and API refuse both fields.

The rule for an order larger than the free stock (on hand − reserved): it is
**accepted on backorder**, as the delivery date already says (what is missing arrives
after the product's lead time, ``selectors.availability``): it reserves what is free
and the rest waits. It cannot be **shipped** until the stock is there: shipping takes
the missing units from the free stock then, or is refused naming the product.

The order moves take ``{product id: units}``, lock the products in id order (two orders
never deadlock) and touch only stock-tracked products. They check no permission: they
are the order services' steps, which check theirs (``sales.edit``). A receipt is a
user's own write and checks ``catalog.manage``; what it brings is free stock, which the
orders on backorder take when they ship.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.services import audit_record

from ..models import Product, StockMovement
from ..selectors.stock import stock_kept_here


def _locked(units: Mapping[int, int]) -> list[Product]:
    wanted = [pk for pk, n in units.items() if n > 0]
    if not wanted or not stock_kept_here():
        return []
    return list(
        Product.objects.select_for_update().filter(pk__in=wanted, track_stock=True).order_by("pk")
    )


@dataclass(frozen=True)
class OrderRef:
    """The order a movement is for (sales sits above the catalogue: its id and
    reference, not the model)."""

    id: int
    reference: str


NOTE_MAX = 500
RECEIPT_MAX = 1_000_000
ON_HAND_MAX = 2_147_483_647


def _moved(
    product: Product,
    move: str,
    quantity: int,
    by: User | None,
    note: str = "",
    *,
    on_hand_change: int = 0,
    reserved_change: int = 0,
    order: OrderRef | None = None,
) -> StockMovement:
    """Save the product's new figures and record the movement that made them."""
    product.save(update_fields=["stock_on_hand", "stock_reserved", "updated_at"])
    movement = StockMovement.objects.create(
        product=product,
        kind=move,
        on_hand_change=on_hand_change,
        reserved_change=reserved_change,
        on_hand_after=product.stock_on_hand,
        reserved_after=product.stock_reserved,
        note=note,
        order_id=order.id if order else None,
        order_reference=order.reference if order else "",
        by=by,
    )
    emit(
        "product.stock_moved",
        product_id=product.pk,
        move=move,
        quantity=quantity,
        on_hand=product.stock_on_hand,
        reserved=product.stock_reserved,
        by=by.pk if by else None,
        note=note,
        order_id=order.id if order else None,
    )
    return movement


def _note_clean(note: str, *, field: str = "note", required: str = "") -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationFailed(required, field=field)
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            _("The note is %(length)s characters long; %(max)s at most.")
            % {"length": len(note), "max": NOTE_MAX},
            field=field,
        )
    return note


def _tracked_here(product_id: int, *, field: str) -> Product:
    """The product, locked, if its stock is kept here and tracked; else the refusal."""
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("There is no product %(id)s.") % {"id": product_id})
    if not stock_kept_here():
        raise ValidationFailed(_("An ERP keeps the stock: receive the goods there."), field=field)
    if not product.track_stock:
        raise ValidationFailed(
            _("%(product)s does not track stock: turn on “track stock” first.")
            % {"product": product},
            field=field,
        )
    return product


@transaction.atomic
def stock_receive(
    *,
    by: User,
    product_id: int,
    quantity: int,
    note: str = "",
    order: OrderRef | None = None,
) -> Product:
    """Add ``quantity`` units received to a stock-tracked product's stock on hand (a
    delivery from the supplier), with an optional note and the order on backorder it
    was received for, if any; refused while an ERP keeps the stock. Returns the product
    as it is now."""
    ensure_can(by, "catalog.manage")
    if (
        isinstance(quantity, bool)
        or not isinstance(quantity, int)
        or not 0 < quantity <= RECEIPT_MAX
    ):
        raise ValidationFailed(
            _("Enter how many units were received: a whole number above 0, %(max)s at most.")
            % {"max": number_format(RECEIPT_MAX, force_grouping=True)},
            field="quantity",
        )
    note = _note_clean(note)
    product = _tracked_here(product_id, field="quantity")
    if product.stock_on_hand + quantity > ON_HAND_MAX:  # the column's limit on PostgreSQL
        raise ValidationFailed(
            _("%(product)s cannot hold more than %(max)s units on hand.")
            % {"product": product, "max": number_format(ON_HAND_MAX, force_grouping=True)},
            field="quantity",
        )
    product.stock_on_hand += quantity
    _moved(product, "received", quantity, by, note, on_hand_change=quantity, order=order)
    return product


@transaction.atomic
def stock_reserve(
    *, by: User | None, units: Mapping[int, int], order: OrderRef | None = None
) -> dict[int, int]:
    """Reserve up to ``units`` of each stock-tracked product from its free stock;
    returns what each got (missing: untracked, or an ERP keeps the stock). The rest of
    a product is on backorder."""
    got: dict[int, int] = {}
    for product in _locked(units):
        take = min(units[product.pk], product.stock_available)
        got[product.pk] = take
        if take:
            product.stock_reserved += take
            _moved(product, "reserved", take, by, reserved_change=take, order=order)
    return got


@transaction.atomic
def stock_release(
    *, by: User | None, units: Mapping[int, int], order: OrderRef | None = None
) -> None:
    """Give back reserved units (an order cancelled), never below zero."""
    for product in _locked(units):
        back = min(units[product.pk], product.stock_reserved)
        if back:
            product.stock_reserved -= back
            _moved(product, "released", back, by, reserved_change=-back, order=order)


@transaction.atomic
def stock_ship(
    *,
    by: User | None,
    units: Mapping[int, int],
    held: Mapping[int, int],
    order: OrderRef | None = None,
) -> dict[int, int]:
    """Use up ``units`` of each product for a shipment that holds ``held`` of them
    reserved: the missing ones are taken from the free stock, or the shipment is
    refused naming the first product short (nothing moves). Returns the units shipped
    per stock-tracked product."""
    products = _locked(units)
    for product in products:
        missing = units[product.pk] - min(held.get(product.pk, 0), product.stock_reserved)
        if missing > product.stock_available:
            raise ValidationFailed(
                _(
                    "Not enough stock of %(product)s to ship: %(free)s free, %(missing)s "
                    "missing for this order."
                )
                % {"product": product, "free": product.stock_available, "missing": missing},
                field="status",
            )
    shipped = {}
    for product in products:
        n = units[product.pk]
        was_held = min(held.get(product.pk, 0), product.stock_reserved)
        product.stock_reserved -= was_held
        product.stock_on_hand -= n
        shipped[product.pk] = n
        _moved(
            product,
            "shipped",
            n,
            by,
            on_hand_change=-n,
            reserved_change=-was_held,
            order=order,
        )
    return shipped


@transaction.atomic
def stock_adjust(*, by: User, product_id: int, counted: int, reason: str) -> StockMovement:
    """Correct a stock-tracked product's stock on hand to what a count found, with the
    reason (required): recorded as a movement and in the audit log. The count cannot go
    below what confirmed orders hold reserved (they would ship units that are not
    there): cancel or ship those orders first. Returns the movement."""
    ensure_can(by, "catalog.manage")
    if isinstance(counted, bool) or not isinstance(counted, int) or not 0 <= counted <= ON_HAND_MAX:
        raise ValidationFailed(
            _("Enter the units counted: a whole number of 0 or more, %(max)s at most.")
            % {"max": number_format(ON_HAND_MAX, force_grouping=True)},
            field="counted",
        )
    reason = _note_clean(
        reason, field="reason", required=_("Say why the count differs (the reason is kept).")
    )
    product = _tracked_here(product_id, field="counted")
    if counted == product.stock_on_hand:
        raise ValidationFailed(
            _("%(product)s already has %(count)s units on hand: nothing to correct.")
            % {"product": product, "count": number_format(counted, force_grouping=True)},
            field="counted",
        )
    if counted < product.stock_reserved:
        raise ValidationFailed(
            _(
                "Confirmed orders hold %(reserved)s units of %(product)s reserved: the count "
                "cannot be below that. Cancel or ship those orders first."
            )
            % {"product": product, "reserved": number_format(product.stock_reserved)},
            field="counted",
        )
    change = counted - product.stock_on_hand
    before = product.stock_on_hand
    product.stock_on_hand = counted
    movement = _moved(product, "adjusted", abs(change), by, reason, on_hand_change=change)
    audit_record(
        kind="stock_adjusted",
        user=by,
        product_id=product.pk,
        sku=product.sku,
        on_hand_before=before,
        on_hand_after=counted,
        reason=reason,
    )
    return movement


def stock_opening(*, product: Product, by: User | None) -> None:
    """Record the stock a product was created with (``product_create``)."""
    if product.stock_on_hand:
        _moved(
            product,
            "opening",
            product.stock_on_hand,
            by,
            on_hand_change=product.stock_on_hand,
        )
