"""What the portal's sales pages read for the signed-in customer: his quotes that were
sent to him, his orders, and the catalogue priced for him. Every read is scoped to his
own records here (another customer's quote or order is a 404, as for staff out of
scope); the data comes from the sales app's selectors and the catalogue's one pricing
service, never a second copy of their rules."""

import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.catalog.models import Channel, Product
from panorama.catalog.selectors import company_currency
from panorama.catalog.services.pricing import LineIn, PricedLine, price_lines
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.customers.models import Customer
from panorama.sales.models import Order, OrderLine, Quote, QuoteLine
from panorama.sales.selectors.quotes import orders_visible_to, quotes_visible_to, with_option_names

SHOWN = 50  # newest first, on each page of a list
PRODUCTS_SHOWN = 30  # the "prices for you" page: a small catalogue

# What the customer was sent: never a draft, a quote waiting for its approval or one
# approved but not sent yet (internal states).
SENT_STATUSES = (
    Quote.Status.SENT,
    Quote.Status.ACCEPTED,
    Quote.Status.DECLINED,
    Quote.Status.EXPIRED,
)


def _his_quotes(customer: Customer) -> QuerySet[Quote]:
    return (
        quotes_visible_to(None)
        .filter(customer=customer, status__in=SENT_STATUSES, sent_at__isnull=False)
        .annotate(replaced=Exists(Quote.objects.filter(previous=OuterRef("pk"))))
    )


def quote_state(quote: Quote) -> str:
    """Where the quote stands for him: ``open`` (he may accept or decline it),
    ``accepted``, ``declined``, ``expired`` (also a sent quote past its date that the
    sweep has not marked yet) or ``replaced`` (a newer version was made)."""
    if quote.status == Quote.Status.SENT:
        if getattr(quote, "replaced", False):
            return "replaced"
        if quote.valid_until < timezone.localdate():
            return "expired"
        return "open"
    return str(quote.status)


@dataclass
class Page:
    """One page of a list, newest first: ``older`` is the ``before`` of the next page
    (none: this is the last), ``newer`` whether pages come before this one."""

    rows: list
    older: int | None
    newer: bool


def _page(queryset: QuerySet, before: int | None) -> Page:
    """Keyset paging on the id (one query, whatever the page): the rows below ``before``,
    one more than shown to know whether an older page follows."""
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    rows = list(queryset.order_by("-id")[: SHOWN + 1])
    older = rows[SHOWN - 1].pk if len(rows) > SHOWN else None
    return Page(rows[:SHOWN], older, before is not None)


def customer_quotes(*, customer: Customer, before: int | None = None) -> Page:
    """His sent quotes, newest first (older than the quote ``before``), each with
    ``state`` and its order if accepted: one query."""
    page = _page(_his_quotes(customer).select_related("order"), before)
    for quote in page.rows:
        quote.state = quote_state(quote)
    return page


def customer_quote_get(*, customer: Customer, quote_id: int) -> Quote:
    """One of his sent quotes with its lines (their stored prices and explanations) and
    the names of their options; a quote of anyone else, or not sent, is a 404."""
    quote = (
        _his_quotes(customer)
        .select_related("customer", "financing_plan", "order")
        .prefetch_related(Prefetch("lines", queryset=QuoteLine.objects.order_by("position", "id")))
        .filter(pk=quote_id)
        .first()
    )
    if quote is None:
        raise NotFound(_("There is no such quote in your customer area."))
    quote.state = quote_state(quote)  # type: ignore[attr-defined]
    quote.shown_lines = with_option_names(list(quote.lines.all()))  # type: ignore[attr-defined]
    return quote


def _his_orders(customer: Customer) -> QuerySet[Order]:
    # A draft order is the company's own work in progress: he sees it once confirmed.
    return orders_visible_to(None).filter(customer=customer).exclude(status=Order.Status.DRAFT)


def customer_orders(*, customer: Customer, before: int | None = None) -> Page:
    """His orders (not drafts), newest first (older than the order ``before``), with the
    quote each came from: one query."""
    return _page(_his_orders(customer).select_related("quote"), before)


def customer_order_get(*, customer: Customer, order_id: int) -> Order:
    """One of his orders with its lines (expected dates, reserved, on backorder) and the
    names of their options and components; anyone else's is a 404."""
    order = (
        _his_orders(customer)
        .select_related("quote")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("product").order_by("position", "id"),
            )
        )
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound(_("There is no such order in your customer area."))
    lines = with_option_names(list(order.lines.all()))
    ids = {part["product_id"] for line in lines for part in line.components or ()}
    names = dict(Product.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    for line in lines:
        line.parts = [
            {**part, "name": names.get(part["product_id"], "")} for part in line.components or ()
        ]
    order.shown_lines = lines  # type: ignore[attr-defined]
    return order


@dataclass(frozen=True)
class PortalPrices:
    """The catalogue priced for him today: each ``PricedLine`` as the pricing service
    returned it (with its explanation), the products it could not price on its own
    (a configuration to choose, a currency without a rate) and the coupon's refusal."""

    lines: tuple[PricedLine, ...]
    on_request: tuple[Product, ...]
    coupon: str
    coupon_error: str


_LINE_FIELD = re.compile(r"^lines\.(\d+)\.")


def customer_prices(*, customer: Customer, coupon: str = "", search: str = "") -> PortalPrices:
    """One unit of each active product (the first ``PRODUCTS_SHOWN`` by name, or those
    whose name holds ``search``) priced by ``catalog.services.pricing.price_lines`` for
    him, today, on the portal's channel, with ``coupon`` if given — one pricing per
    currency the products are listed in (the company's first). A coupon the pricing
    refuses (unknown, expired, not his...) is told with its own message and the prices
    are shown without it. A product the pricing refuses on its own line (options to
    choose) is listed apart ("ask us") and the others priced again without it; so are
    the products of a currency the pricing refuses (no exchange rate)."""
    products = Product.objects.filter(active=True).order_by("name", "id")
    if search.strip():
        products = products.filter(name__icontains=search.strip())
    wanted = list(products[:PRODUCTS_SHOWN])
    home = company_currency()
    groups: dict[str, list[Product]] = {}
    for product in sorted(wanted, key=lambda p: p.currency != home):
        groups.setdefault(product.currency, []).append(product)
    coupon = coupon.strip()
    lines: list[PricedLine] = []
    refused: list[Product] = []
    coupon_errors: list[str] = []
    applied = False
    for group in groups.values():
        priced, error = _priced_group(group, refused, customer, coupon)
        lines.extend(priced)
        if error:
            coupon_errors.append(error)
        elif coupon and priced:
            applied = True
    order = {product.pk: n for n, product in enumerate(wanted)}
    lines.sort(key=lambda line: order[line.product_id])
    refused.sort(key=lambda product: order[product.pk])
    return PortalPrices(
        lines=tuple(lines),
        on_request=tuple(refused),
        coupon=coupon.upper() if applied else "",
        coupon_error="" if applied or not coupon_errors else coupon_errors[0],
    )


def _priced_group(
    group: list[Product], refused: list[Product], customer: Customer, coupon: str
) -> tuple[list[PricedLine], str]:
    """The products of one currency priced together: (their lines, the coupon's refusal
    if the pricing refused it). What the pricing refuses goes to ``refused``."""
    group = list(group)
    coupon_error = ""
    while group:
        try:
            pricing = price_lines(
                lines=[LineIn(product.pk) for product in group],
                customer=customer,
                channel=Channel.PORTAL,
                coupon=coupon,
            )
        except ValidationFailed as error:
            if error.field == "coupon" and coupon:
                coupon_error, coupon = str(error.message), ""
                continue
            found = _LINE_FIELD.match(error.field or "")
            if found is None:  # the currency (no rate that day): none of them prices
                refused.extend(group)
                return [], coupon_error
            refused.append(group.pop(int(found.group(1))))
            continue
        return list(pricing.lines), coupon_error
    return [], coupon_error
