"""Stock moves on the catalogue's own stock fields, while no ERP is connected
(``selectors.stock_kept_here``): an order confirmed reserves, an order shipped uses up
(on hand and reserved both go down), an order cancelled releases, and a catalogue
manager receives goods (``stock_receive``: on hand goes up).

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

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import NotFound, ValidationFailed

from ..models import Product
from ..selectors.stock import stock_kept_here


def _locked(units: Mapping[int, int]) -> list[Product]:
    wanted = [pk for pk, n in units.items() if n > 0]
    if not wanted or not stock_kept_here():
        return []
    return list(
        Product.objects.select_for_update().filter(pk__in=wanted, track_stock=True).order_by("pk")
    )


NOTE_MAX = 500
RECEIPT_MAX = 1_000_000
ON_HAND_MAX = 2_147_483_647


def _moved(product: Product, move: str, quantity: int, by: User | None, note: str = "") -> None:
    product.save(update_fields=["stock_on_hand", "stock_reserved", "updated_at"])
    emit(
        "product.stock_moved",
        product_id=product.pk,
        move=move,
        quantity=quantity,
        on_hand=product.stock_on_hand,
        reserved=product.stock_reserved,
        by=by.pk if by else None,
        note=note,
    )


@transaction.atomic
def stock_receive(*, by: User, product_id: int, quantity: int, note: str = "") -> Product:
    """Add ``quantity`` units received to a stock-tracked product's stock on hand (a
    delivery from the supplier, goods found at a count), with an optional note; refused
    while an ERP keeps the stock. Returns the product as it is now."""
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
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            _("The note is %(length)s characters long; %(max)s at most.")
            % {"length": len(note), "max": NOTE_MAX},
            field="note",
        )
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("There is no product %(id)s.") % {"id": product_id})
    if not stock_kept_here():
        raise ValidationFailed(
            _("An ERP keeps the stock: receive the goods there."), field="quantity"
        )
    if not product.track_stock:
        raise ValidationFailed(
            _("%(product)s does not track stock: turn on “track stock” first.")
            % {"product": product},
            field="quantity",
        )
    if product.stock_on_hand + quantity > ON_HAND_MAX:  # the column's limit on PostgreSQL
        raise ValidationFailed(
            _("%(product)s cannot hold more than %(max)s units on hand.")
            % {"product": product, "max": number_format(ON_HAND_MAX, force_grouping=True)},
            field="quantity",
        )
    product.stock_on_hand += quantity
    _moved(product, "received", quantity, by, note)
    return product


@transaction.atomic
def stock_reserve(*, by: User | None, units: Mapping[int, int]) -> dict[int, int]:
    """Reserve up to ``units`` of each stock-tracked product from its free stock;
    returns what each got (missing: untracked, or an ERP keeps the stock). The rest of
    a product is on backorder."""
    got: dict[int, int] = {}
    for product in _locked(units):
        take = min(units[product.pk], product.stock_available)
        got[product.pk] = take
        if take:
            product.stock_reserved += take
            _moved(product, "reserved", take, by)
    return got


@transaction.atomic
def stock_release(*, by: User | None, units: Mapping[int, int]) -> None:
    """Give back reserved units (an order cancelled), never below zero."""
    for product in _locked(units):
        back = min(units[product.pk], product.stock_reserved)
        if back:
            product.stock_reserved -= back
            _moved(product, "released", back, by)


@transaction.atomic
def stock_ship(
    *, by: User | None, units: Mapping[int, int], held: Mapping[int, int]
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
        product.stock_reserved -= min(held.get(product.pk, 0), product.stock_reserved)
        product.stock_on_hand -= n
        shipped[product.pk] = n
        _moved(product, "shipped", n, by)
    return shipped
