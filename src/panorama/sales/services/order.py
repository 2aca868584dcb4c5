"""Orders: placed from an accepted quote (its lines and figures as accepted) or
directly (priced through the catalogue), then moved through their lifecycle. The
expected delivery date comes from the catalogue's ``availability`` (stock fields until
an ERP connector is installed)."""

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
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.customers.selectors import customer_get

from ..models import Order, OrderLine, Quote
from ..selectors.quotes import order_get
from .quote import LineData

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


def _place(order: Order, lines: list[OrderLine], *, by: User | None) -> Order:
    order.save()
    order.reference = f"O-{order.pk:06d}"
    products = Product.objects.in_bulk([line.product_id for line in lines])
    order.expected_delivery = _delivery(lines, products)
    order.save()
    for position, line in enumerate(lines):
        line.order, line.position = order, position
    OrderLine.objects.bulk_create(lines)
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
    return _place(order, lines, by=by)


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
    promotion it gets (a coupon, an automatic one) counts one use. Cancelling the order
    does not give the use back: the catalogue has no service to return one, and an order
    keeps no record of the promotions that priced it."""
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
    return _place(order, rows, by=by)


@transaction.atomic
def order_transition(*, by: User | None, order_id: int, to: str) -> Order:
    """Move an order along its lifecycle: draft → confirmed → shipped → delivered, or
    cancelled before it ships. Any other move is refused, naming the status."""
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
