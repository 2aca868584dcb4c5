"""The one pricing service: quotes, orders, the portal and the API price through here.

For each configured line (product, options, quantity) and one customer (or none), day,
channel, currency and optional coupon, it returns the unit price, the discounts, net,
tax and total, and the explanation of every step as a sentence in the user's language:
list price (and options, and conversion) → price list → promotion → coupon → manual
discount → tax. ``price_lines`` prices many lines in a bounded number of queries (see
``selectors.pricing``); ``price_line`` is the one-line form.

Rules: of the price lists that apply (active, valid that day, in the currency, for the
customer's segments or any, for the channel or any), the lowest unit price wins; of the
automatic promotions the customer is eligible for, the largest discount wins; a coupon's
promotion applies after it. Pricing counts no use of a promotion:
``services.price_lists.promotion_redeem`` does when a quote is accepted or an order placed.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed
from panorama.customers.models import Customer

from ..models import Channel, Promotion
from ..selectors.money import MAX_AMOUNT, cents, company_currency, currency_clean
from ..selectors.pricing import PricingData, pricing_data
from .pricing_steps import (
    LineWork,
    apply_manual,
    apply_price_list,
    apply_promotions,
    apply_tax,
    base_price,
)


@dataclass(frozen=True)
class LineIn:
    """One line to price: a product, its chosen option codes, a quantity, and the
    salesperson's own discount on it (a percentage, 0 to 100)."""

    product_id: int
    quantity: Decimal | int | str = 1
    options: Sequence[str] = ()
    manual_discount_percent: Decimal | int | str = 0


@dataclass(frozen=True)
class Step:
    kind: str  # list_price, conversion, options, price_list, quantity, promotion, coupon,
    #            manual_discount, tax
    text: str  # the sentence, with its amounts, in the user's language
    amount: Decimal  # what the step yields (a unit price, a line amount, a discount, a tax)


@dataclass(frozen=True)
class Discount:
    kind: str  # promotion, coupon, manual
    label: str  # the promotion's name or "Manual discount"
    amount: Decimal  # off the line, positive
    promotion_id: int | None = None


@dataclass(frozen=True)
class PricedLine:
    product_id: int
    sku: str
    name: str
    quantity: Decimal
    options: tuple[str, ...]  # the configuration, what comes included too
    currency: str
    list_unit_price: Decimal  # list price + charged options, in ``currency``
    unit_price: Decimal  # after the price list
    gross: Decimal  # unit_price × quantity
    discounts: tuple[Discount, ...]
    discount_total: Decimal
    net: Decimal  # gross - discounts
    tax_name: str
    tax_rate: Decimal  # percentage
    tax: Decimal
    total: Decimal  # net + tax
    price_list: str | None  # the price list's code, if one applied
    explanation: tuple[Step, ...]


@dataclass(frozen=True)
class TaxTotal:
    name: str
    rate: Decimal
    base: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Pricing:
    currency: str
    on: datetime.date
    channel: str
    customer_id: int | None
    coupon: str
    lines: tuple[PricedLine, ...]
    net: Decimal
    tax: Decimal
    total: Decimal
    discount_total: Decimal
    taxes: tuple[TaxTotal, ...] = field(default_factory=tuple)


def _number(value: object, *, field: str, n: int | None) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) >= MAX_AMOUNT:
        raise ValidationFailed(_line(n, _("give a number.")), field=field)
    return number


def _line(n: int | None, message: str) -> str:
    if n is None:
        return message[:1].upper() + message[1:]
    return _("Line %(n)s: %(message)s") % {"n": n, "message": message}


def _field(n: int | None, name: str) -> str:
    return name if n is None else f"lines.{n - 1}.{name}"


def _checked_coupon(
    data: PricingData, coupon: str, on: datetime.date, channel: str
) -> Promotion | None:
    if not coupon:
        return None
    promotion = data.coupon
    if promotion is None or not promotion.active:
        raise ValidationFailed(_("There is no coupon %(code)s.") % {"code": coupon}, field="coupon")
    if promotion.valid_until and promotion.valid_until < on:
        raise ValidationFailed(
            _("The coupon %(code)s expired on %(date)s.")
            % {"code": coupon, "date": date_format(promotion.valid_until, "SHORT_DATE_FORMAT")},
            field="coupon",
        )
    if promotion.valid_from and promotion.valid_from > on:
        raise ValidationFailed(
            _("The coupon %(code)s is valid from %(date)s.")
            % {"code": coupon, "date": date_format(promotion.valid_from, "SHORT_DATE_FORMAT")},
            field="coupon",
        )
    if promotion.max_uses is not None and promotion.uses >= promotion.max_uses:
        raise ValidationFailed(
            _("The coupon %(code)s has been used up.") % {"code": coupon}, field="coupon"
        )
    if promotion.channel and promotion.channel != channel:
        raise ValidationFailed(
            _("The coupon %(code)s is only for the channel %(channel)s.")
            % {"code": coupon, "channel": Channel(promotion.channel).label},
            field="coupon",
        )
    if promotion.segments and not set(promotion.segments) & data.segments:
        raise ValidationFailed(
            _("The coupon %(code)s is only for customers of the segments: %(segments)s.")
            % {"code": coupon, "segments": ", ".join(promotion.segments)},
            field="coupon",
        )
    if promotion.holding_codes and not set(promotion.holding_codes) & data.holdings:
        raise ValidationFailed(
            _("The coupon %(code)s is only for customers who hold: %(products)s.")
            % {"code": coupon, "products": ", ".join(promotion.holding_codes)},
            field="coupon",
        )
    return promotion


def _checked_list(
    data: PricingData, price_list: str, *, currency: str, on: datetime.date, channel: str
) -> None:
    if not price_list:
        return
    chosen = data.chosen_list
    if chosen is None or not chosen.active:
        raise ValidationFailed(
            _("There is no price list %(code)s.") % {"code": price_list}, field="price_list"
        )
    if (chosen.valid_until and chosen.valid_until < on) or (
        chosen.valid_from and chosen.valid_from > on
    ):
        raise ValidationFailed(
            _("The price list %(name)s is not valid on %(date)s.")
            % {"name": chosen.name, "date": date_format(on, "SHORT_DATE_FORMAT")},
            field="price_list",
        )
    if chosen.currency != currency:
        raise ValidationFailed(
            _("The price list %(name)s is in %(currency)s.")
            % {"name": chosen.name, "currency": chosen.currency},
            field="price_list",
        )
    if chosen.channel and chosen.channel != channel:
        raise ValidationFailed(
            _("The price list %(name)s is only for the channel %(channel)s.")
            % {"name": chosen.name, "channel": Channel(chosen.channel).label},
            field="price_list",
        )
    if chosen.segment and chosen.segment not in data.segments:
        raise ValidationFailed(
            _("The price list %(name)s is only for the segment %(segment)s.")
            % {"name": chosen.name, "segment": chosen.segment},
            field="price_list",
        )


def price_lines(
    *,
    lines: Sequence[LineIn],
    customer: Customer | None = None,
    on: datetime.date | None = None,
    channel: str = Channel.DIRECT,
    currency: str | None = None,
    coupon: str = "",
    price_list: str = "",
) -> Pricing:
    """Price ``lines`` for ``customer`` on ``on`` (today) through ``channel`` in
    ``currency`` (the company's), with an optional ``coupon`` and a ``price_list`` code
    to use instead of choosing the best. Raises ``ValidationFailed`` naming the field
    (``lines.<i>.quantity``, ``lines.<i>.options``, ``currency``, ``coupon``,
    ``price_list``...) on anything it cannot price; it writes nothing."""
    return _price(lines, customer, on, channel, currency, coupon, price_list, numbered=True)


def price_line(
    *,
    product_id: int,
    quantity: Decimal | int | str = 1,
    options: Sequence[str] = (),
    manual_discount_percent: Decimal | int | str = 0,
    customer: Customer | None = None,
    on: datetime.date | None = None,
    channel: str = Channel.DIRECT,
    currency: str | None = None,
    coupon: str = "",
    price_list: str = "",
) -> PricedLine:
    """One line: the same as ``price_lines`` (errors name ``quantity``, ``options``...)."""
    line = LineIn(product_id, quantity, tuple(options), manual_discount_percent)
    pricing = _price([line], customer, on, channel, currency, coupon, price_list, numbered=False)
    return pricing.lines[0]


def _price(
    lines, customer, on, channel, currency, coupon, price_list, *, numbered: bool
) -> Pricing:
    on = on or timezone.localdate()
    currency = currency_clean(currency or company_currency())
    if channel not in Channel.values:
        raise ValidationFailed(_("Unknown channel %(c)s.") % {"c": channel}, field="channel")
    if not lines:
        raise ValidationFailed(_("Give at least one line to price."), field="lines")
    coupon = (coupon or "").strip().upper()
    works = []
    for index, line in enumerate(lines, start=1):
        n = index if numbered else None
        quantity = _number(line.quantity, field=_field(n, "quantity"), n=n)
        if quantity <= 0:
            raise ValidationFailed(
                _line(n, _("a quantity must be more than 0.")), field=_field(n, "quantity")
            )
        manual = _number(
            line.manual_discount_percent, field=_field(n, "manual_discount_percent"), n=n
        )
        if not 0 <= manual <= 100:
            raise ValidationFailed(
                _line(n, _("a discount is between 0 and 100 %.")),
                field=_field(n, "manual_discount_percent"),
            )
        works.append(
            LineWork(
                n=n,
                product_id=line.product_id,
                quantity=quantity,
                options=list(line.options),
                manual=manual,
            )
        )
    data = pricing_data(
        product_ids=[w.product_id for w in works],
        currency=currency,
        on=on,
        channel=channel,
        customer=customer,
        coupon=coupon,
        price_list=price_list,
    )
    _checked_list(data, price_list, currency=currency, on=on, channel=channel)
    coupon_promotion = _checked_coupon(data, coupon, on, channel)
    used_coupon = False
    priced = []
    for work in works:
        base_price(work, data, currency=currency)
        apply_price_list(work, data)
        used_coupon |= apply_promotions(work, data, coupon_promotion, currency=currency)
        apply_manual(work)
        apply_tax(work)
        priced.append(_priced(work, currency))
    if coupon_promotion is not None and not used_coupon:
        raise ValidationFailed(
            _("The coupon %(code)s does not apply to any of these products.") % {"code": coupon},
            field="coupon",
        )
    taxes: dict[tuple[str, Decimal], list[Decimal]] = {}
    for line in priced:
        base, tax = taxes.setdefault((line.tax_name, line.tax_rate), [Decimal(0), Decimal(0)])
        taxes[(line.tax_name, line.tax_rate)] = [base + line.net, tax + line.tax]
    return Pricing(
        currency=currency,
        on=on,
        channel=channel,
        customer_id=customer.pk if customer else None,
        coupon=coupon,
        lines=tuple(priced),
        net=sum((line.net for line in priced), Decimal(0)),
        tax=sum((line.tax for line in priced), Decimal(0)),
        total=sum((line.total for line in priced), Decimal(0)),
        discount_total=sum((line.discount_total for line in priced), Decimal(0)),
        taxes=tuple(TaxTotal(name, rate, base, tax) for (name, rate), (base, tax) in taxes.items()),
    )


def _priced(work: LineWork, currency: str) -> PricedLine:
    product = work.product
    discount_total = sum((d.amount for d in work.discounts), Decimal(0))
    return PricedLine(
        product_id=product.pk,
        sku=product.sku,
        name=product.name,
        quantity=work.quantity,
        options=work.codes,
        currency=currency,
        list_unit_price=work.list_unit,
        unit_price=work.unit,
        gross=work.gross,
        discounts=tuple(Discount(**d.__dict__) for d in work.discounts),
        discount_total=discount_total,
        net=work.net,
        tax_name=product.tax.name if product.tax else "",
        tax_rate=product.tax.rate if product.tax else Decimal(0),
        tax=work.tax,
        total=cents(work.net + work.tax),
        price_list=work.price_list,
        explanation=tuple(Step(*s) for s in work.steps),
    )
