"""Orders: placed from an accepted quote (its lines and figures as accepted) or
directly (priced through the catalogue), then moved through their lifecycle. The
expected delivery date comes from the catalogue's ``availability`` (stock fields until
an ERP connector is installed).

Two things follow an order through its lifecycle:

- The promotions that priced it (``OrderPromotion``, and its ``coupon``): each counted
  one use when the order was placed (or its quote accepted); cancelling the order gives
  each use back, once, so a coupon with a maximum can be used again.
- The stock of its stock-tracked products and of its bundles' components, while no ERP
  is connected (``.stock``): confirming reserves (what is free; the rest is on
  backorder), shipping uses it up (refused, naming the product, while stock is
  missing), cancelling releases it. A catalogue manager receives what an order on
  backorder is missing from its page (``order_stock_receive``): the units come in and
  are reserved for that order at once.
"""

import datetime
import math
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.catalog.models import Product, Promotion
from panorama.catalog.selectors import availability
from panorama.catalog.services.price_lists import promotion_redeem
from panorama.catalog.services.pricing import LineIn, price_lines
from panorama.catalog.services.promotions import promotion_release
from panorama.catalog.services.stock import stock_receive
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.customers.selectors import customer_get

from ...models import Order, OrderLine, OrderPromotion, Quote
from ...selectors.quotes import order_get
from ..quote import LineData
from .stock import (
    order_backorder_fill,
    order_components,
    order_missing,
    order_ref,
    order_reserve,
    order_stock_follow,
)

STAMPS = {
    Order.Status.CONFIRMED: "confirmed_at",
    Order.Status.SHIPPED: "shipped_at",
    Order.Status.DELIVERED: "delivered_at",
    Order.Status.CANCELLED: "cancelled_at",
}


def _timeline(order: Order, *, by: User | None, subject: str) -> None:
    interaction_record(
        customer_id=order.customer_id,
        by=None,
        agent=by,
        channel=Interaction.Channel.NOTE,
        direction=Interaction.Direction.INTERNAL,
        subject=subject[:200],
        related=order,
        metadata={"kind": "order", "status": order.status, "reference": order.reference},
    )


def _delivery(lines: Sequence[OrderLine], products: dict[int, Product]) -> datetime.date | None:
    today = timezone.localdate()
    dates = []
    for line in lines:
        answer = availability(products[line.product_id], math.ceil(line.quantity), today)
        line.expected_date = answer.expected_date
        dates.append(answer.expected_date)
    return max(dates) if dates else None


def _place(
    order: Order,
    lines: list[OrderLine],
    *,
    by: User | None,
    promotion_ids: set[int] | frozenset[int] = frozenset(),
) -> Order:
    order.save()
    order.reference = f"O-{order.pk:06d}"
    products = Product.objects.in_bulk([line.product_id for line in lines])
    order.expected_delivery = _delivery(lines, products)
    order_components(lines)
    if order.status == Order.Status.CONFIRMED:
        order_reserve(order, lines, by=by)
    order.save()
    for position, line in enumerate(lines):
        line.order, line.position = order, position
    OrderLine.objects.bulk_create(lines)
    OrderPromotion.objects.bulk_create(
        [OrderPromotion(order=order, promotion_id=pk) for pk in sorted(promotion_ids)]
    )
    _timeline(order, by=by, subject=_("Order %(ref)s placed") % {"ref": order.reference})
    emit(
        "order.created",
        order_id=order.pk,
        customer_id=order.customer_id,
        quote_id=order.quote_id,
        by=by.pk if by else None,
    )
    return order


def order_from_quote(*, quote: Quote, by: User | None) -> Order:
    """The order of an accepted quote: its lines at the figures accepted (called by
    ``quote_accept`` inside its transaction)."""
    if Order.objects.filter(quote=quote).exists():
        raise Conflict(_("Quote %(ref)s already has an order.") % {"ref": quote.reference})
    order = Order(
        customer_id=quote.customer_id,
        quote=quote,
        owner_id=quote.owner_id,
        team_id=quote.team_id,
        currency=quote.currency,
        net=quote.net,
        tax=quote.tax,
        total=quote.total,
        status=Order.Status.CONFIRMED,
        confirmed_at=timezone.now(),
        coupon=quote.coupon,
        created_by=by,
    )
    lines = [
        OrderLine(
            product_id=line.product_id,
            sku=line.sku,
            name=line.name,
            options=line.options,
            quantity=line.quantity,
            unit_price=line.unit_price,
            net=line.net,
            tax_rate=line.tax_rate,
            tax=line.tax,
            total=line.total,
        )
        for line in quote.lines.all()
    ]
    # The promotions ``quote_accept`` has just redeemed: the order keeps them.
    used = {d.get("promotion_id") for line in quote.lines.all() for d in line.discounts}
    return _place(order, lines, by=by, promotion_ids={pk for pk in used if pk})


@transaction.atomic
def order_create(
    *,
    by: User | None,
    customer_id: int,
    lines: Sequence[LineData],
    currency: str = "",
    coupon: str = "",
    price_list: str = "",
) -> Order:
    """A draft order placed directly (no quote), priced through the catalogue; each
    promotion it gets (a coupon, an automatic one) counts one use, which the order keeps
    (``OrderPromotion``) to give it back if it is cancelled."""
    ensure_can(by, "sales.edit")
    customer = customer_get(user=by, customer_id=customer_id)
    if not lines:
        raise ValidationFailed(_("An order needs at least one line."), field="lines")
    for n, line in enumerate(lines):
        try:
            if Decimal(str(line.quantity)) <= 0:
                raise ValidationFailed(
                    _("A quantity must be more than 0."), field=f"lines.{n}.quantity"
                )
        except ArithmeticError:
            raise ValidationFailed(
                _("A quantity is a number."), field=f"lines.{n}.quantity"
            ) from None
    pricing = price_lines(
        lines=[
            LineIn(line.product_id, line.quantity, tuple(line.options or ()), 0) for line in lines
        ],
        customer=customer,
        currency=currency or None,
        coupon=coupon,
        price_list=price_list,
    )
    # The promotions the pricing applied are used now, as when a quote is accepted:
    # one more use each, locked, so a coupon's maximum holds against /orders too. Its
    # refusal (used up meanwhile) undoes the whole order.
    promotion_ids = {d.promotion_id for p in pricing.lines for d in p.discounts if d.promotion_id}
    for promotion in Promotion.objects.filter(pk__in=promotion_ids).order_by("pk"):
        promotion_redeem(by=by, promotion=promotion)
    order = Order(
        customer=customer,
        owner=by,
        team=customer.team,
        currency=pricing.currency,
        net=pricing.net,
        tax=pricing.tax,
        total=pricing.total,
        coupon=(coupon or "").strip().upper(),
        created_by=by,
    )
    rows = [
        OrderLine(
            product_id=p.product_id,
            sku=p.sku,
            name=p.name,
            options=list(p.options),
            quantity=p.quantity,
            unit_price=p.unit_price,
            net=p.net,
            tax_rate=p.tax_rate,
            tax=p.tax,
            total=p.total,
        )
        for p in pricing.lines
    ]
    return _place(order, rows, by=by, promotion_ids=promotion_ids)


@transaction.atomic
def order_transition(*, by: User | None, order_id: int, to: str) -> Order:
    """Move an order along its lifecycle: draft → confirmed → shipped → delivered, or
    cancelled before it ships. Any other move is refused, naming the status; so is a
    shipment while a product's stock is missing. The stock and the promotions' uses
    follow (see the module's docstring)."""
    ensure_can(by, "sales.edit")
    order = order_get(user=by, order_id=order_id, for_update=True)
    if to not in Order.Status.values:
        raise ValidationFailed(_("Unknown status %(s)s.") % {"s": to}, field="status")
    if to not in order.next_statuses():
        raise ValidationFailed(
            _("An order %(from)s cannot become %(to)s.")
            % {
                "from": order.get_status_display().lower(),
                "to": Order.Status(to).label.lower(),
            },
            field="status",
        )
    previous = order.status
    order_stock_follow(order, to, by=by)
    if to == Order.Status.CANCELLED:
        _give_back_promotions(order, by=by)
    order.status = to
    setattr(order, STAMPS[Order.Status(to)], timezone.now())
    order.save()
    _timeline(
        order,
        by=by,
        subject=_("Order %(ref)s: %(status)s")
        % {"ref": order.reference, "status": order.get_status_display().lower()},
    )
    emit(
        "order.status_changed",
        order_id=order.pk,
        customer_id=order.customer_id,
        from_status=previous,
        to_status=to,
        by=by.pk if by else None,
    )
    return order


def _give_back_promotions(order: Order, *, by: User | None) -> None:
    """The uses the order counted, given back once each (``returned_at``)."""
    now = timezone.now()
    used = order.promotions_used.select_for_update().filter(returned_at__isnull=True)
    for row in used.select_related("promotion").order_by("promotion_id"):
        promotion_release(by=by, promotion=row.promotion)
        row.returned_at = now
        row.save(update_fields=["returned_at"])


@transaction.atomic
def order_stock_receive(
    *, by: User, order_id: int, product_id: int, quantity: int, note: str = ""
) -> Order:
    """Receive stock of a product a confirmed order on backorder is missing: the units
    go on hand (``stock_receive``, which checks ``catalog.manage`` and the quantity) as
    a movement for this order, and are reserved for it at once; the order leaves
    backorder when nothing is missing any more, and can ship."""
    ensure_can(by, "catalog.manage")
    order = order_get(user=by, order_id=order_id, for_update=True)
    missing = {row.product.pk: row for row in order_missing(order)}
    if not missing:
        raise ValidationFailed(
            _("Order %(ref)s is not waiting for stock.") % {"ref": order.reference},
            field="product_id",
        )
    if product_id not in missing:
        raise ValidationFailed(
            _("Order %(ref)s is not waiting for product %(id)s.")
            % {"ref": order.reference, "id": product_id},
            field="product_id",
        )
    stock_receive(
        by=by, product_id=product_id, quantity=quantity, note=note, order=order_ref(order)
    )
    order_backorder_fill(order, list(order.lines.all()), by=by)
    order.save(update_fields=["backorder"])
    _timeline(
        order,
        by=by,
        subject=_("Order %(ref)s: %(n)s × %(product)s received")
        % {"ref": order.reference, "n": quantity, "product": missing[product_id].product.name},
    )
    return order
