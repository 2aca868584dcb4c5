"""The steps of pricing one line, in order; each appends its sentence to the line's
explanation. Used only by ``services.pricing`` (read it first)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed
from panorama.core.templatetags.formatting import money, number

from ..models import Product, Promotion
from ..selectors.money import cents
from ..selectors.pricing import PricingData
from .configuration import configuration_check

HUNDRED = Decimal(100)


@dataclass
class DiscountWork:
    kind: str
    label: str
    amount: Decimal
    promotion_id: int | None = None


@dataclass
class LineWork:
    n: int | None  # the line's number (None: a single line)
    product_id: int
    quantity: Decimal
    options: list[str]
    manual: Decimal
    product: Product = field(init=False)
    currency: str = ""
    codes: tuple[str, ...] = ()
    list_only: Decimal = Decimal(0)  # the product's list price, in the pricing currency
    options_unit: Decimal = Decimal(0)  # the charged options per unit, idem
    list_unit: Decimal = Decimal(0)
    unit: Decimal = Decimal(0)
    gross: Decimal = Decimal(0)
    net: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    price_list: str | None = None
    discounts: list[DiscountWork] = field(default_factory=list)
    steps: list[tuple[str, str, Decimal]] = field(default_factory=list)

    def say(self, kind: str, text: str, amount: Decimal) -> None:
        self.steps.append((kind, text, amount))

    def money(self, amount: Decimal) -> str:
        return money(amount, self.currency)

    @property
    def remaining(self) -> Decimal:
        return self.gross - sum((d.amount for d in self.discounts), Decimal(0))

    def field(self, name: str) -> str:
        return name if self.n is None else f"lines.{self.n - 1}.{name}"

    def refuse(self, message: str, name: str, errors: list[str] | None = None) -> ValidationFailed:
        if self.n is not None:
            message = _("Line %(n)s: %(message)s") % {"n": self.n, "message": message}
        return ValidationFailed(
            message, field=self.field(name), errors={self.field(name): errors or [message]}
        )


def base_price(work: LineWork, data: PricingData, *, currency: str) -> None:
    """The list price, the options and the conversion to the pricing currency."""
    work.currency = currency
    product = data.products.get(work.product_id)
    if product is None:
        raise work.refuse(_("there is no product %(id)s.") % {"id": work.product_id}, "product_id")
    if not product.active:
        raise work.refuse(
            _("%(product)s is no longer sold.") % {"product": product.name}, "product_id"
        )
    work.product = product
    configuration = configuration_check(
        product=product, options=work.options, model=data.options[product.pk]
    )
    if configuration.problems:
        messages = [p.message for p in configuration.problems]
        raise work.refuse(" ".join(messages), "options", messages)
    work.codes = configuration.codes
    work.say(
        "list_price",
        _("List price of %(product)s: %(amount)s per unit.")
        % {"product": product.name, "amount": money(product.list_price, product.currency)},
        product.list_price,
    )
    if configuration.options:
        parts = [
            _("%(option)s (included)") % {"option": o.name}
            if o.included
            else f"{o.name} +{money(o.price, product.currency)}"
            for o in configuration.options
        ]
        unit = product.list_price + configuration.options_price
        work.say(
            "options",
            _("Options: %(options)s; %(amount)s per unit.")
            % {"options": ", ".join(parts), "amount": money(unit, product.currency)},
            unit,
        )
    rates = data.rates
    if product.currency != currency:
        work.list_only = cents(
            rates.convert(product.list_price, currency=product.currency, to=currency)
        )
        work.options_unit = cents(
            rates.convert(configuration.options_price, currency=product.currency, to=currency)
        )
        work.list_unit = work.list_only + work.options_unit
        work.say(
            "conversion",
            _(
                "Converted from %(from)s to %(to)s at the exchange rates of %(date)s: "
                "%(amount)s per unit."
            )
            % {
                "from": product.currency,
                "to": currency,
                "date": date_format(data.rates.on, "SHORT_DATE_FORMAT"),
                "amount": work.money(work.list_unit),
            },
            work.list_unit,
        )
    else:
        work.list_only = product.list_price
        work.options_unit = configuration.options_price
        work.list_unit = work.list_only + work.options_unit


def apply_price_list(work: LineWork, data: PricingData) -> None:
    """The lowest unit price among the price lists that apply, then × quantity."""
    best = None
    seen_lists: set[int] = set()
    for item in data.items.get(work.product_id, []):  # highest min_quantity first
        if item.price_list_id in seen_lists or item.min_quantity > work.quantity:
            continue
        seen_lists.add(item.price_list_id)
        if item.price is not None:
            unit = item.price + work.options_unit
        else:
            unit = cents(work.list_unit * (HUNDRED - (item.discount_percent or 0)) / HUNDRED)
        if best is None or unit < best[0]:
            best = (unit, item)
    if best is None:
        work.unit = work.list_unit
        work.say("price_list", _("No price list applies: the list price stands."), work.unit)
    else:
        work.unit, item = best
        work.price_list = item.price_list.code
        values = {
            "list": f"“{item.price_list.name}”",
            "min": number(item.min_quantity.normalize()),
            "amount": work.money(work.unit),
            "before": work.money(work.list_unit),
            "percent": number(item.discount_percent),
        }
        if item.price is not None:
            text = _(
                "Price list %(list)s (from %(min)s units): "
                "%(amount)s per unit instead of %(before)s."
            )
        else:
            text = _(
                "Price list %(list)s (from %(min)s units): "
                "%(percent)s %% off, %(amount)s per unit instead of %(before)s."
            )
        work.say("price_list", text % values, work.unit)
    work.gross = cents(work.unit * work.quantity)
    work.say(
        "quantity",
        _("%(quantity)s × %(unit)s = %(amount)s.")
        % {
            "quantity": number(work.quantity.normalize()),
            "unit": work.money(work.unit),
            "amount": work.money(work.gross),
        },
        work.gross,
    )


def _applies(promotion: Promotion, work: LineWork, data: PricingData) -> bool:
    products = data.promotion_products.get(promotion.pk, set())
    categories = data.promotion_categories.get(promotion.pk, set())
    if products or categories:
        category = work.product.category
        in_category = category is not None and (
            category.pk in categories or category.parent_id in categories
        )
        if work.product_id not in products and not in_category:
            return False
    return True


def _eligible(promotion: Promotion, data: PricingData) -> bool:
    if promotion.segments and not set(promotion.segments) & data.segments:
        return False
    return not (promotion.holding_codes and not set(promotion.holding_codes) & data.holdings)


def _discount(
    promotion: Promotion, work: LineWork, base: Decimal, data: PricingData
) -> tuple[Decimal, Callable[[], str]]:
    """What ``promotion`` takes off ``base`` on this line, and the sentence saying so
    (written only for the promotion that wins: formatting money is not free)."""
    name = f"“{promotion.name}”"
    kind = Promotion.Kind
    if promotion.kind == kind.PERCENT:
        amount = cents(base * promotion.value / HUNDRED)
        return (
            amount,
            lambda: (
                _("Promotion %(name)s (%(percent)s %% off): −%(amount)s.")
                % {
                    "name": name,
                    "percent": number(promotion.value),
                    "amount": work.money(amount),
                }
            ),
        )
    elif promotion.kind == kind.AMOUNT:
        per_unit = cents(
            data.rates.convert(promotion.value, currency=promotion.currency, to=work.currency)
        )
        off = min(cents(per_unit * work.quantity), base)
        return (
            off,
            lambda: (
                _("Promotion %(name)s (%(value)s off per unit): −%(amount)s.")
                % {
                    "name": name,
                    "value": work.money(per_unit),
                    "amount": work.money(off),
                }
            ),
        )
    else:
        bundle = promotion.buy_quantity + promotion.free_quantity
        free = (work.quantity / bundle).to_integral_value(
            rounding=ROUND_FLOOR
        ) * promotion.free_quantity
        given = min(cents(free * work.unit), base)
        return (
            given,
            lambda: (
                _(
                    "Promotion %(name)s (buy %(buy)s, get %(free)s free): "
                    "%(units)s free, −%(amount)s."
                )
                % {
                    "name": name,
                    "buy": promotion.buy_quantity,
                    "free": promotion.free_quantity,
                    "units": number(free),
                    "amount": work.money(given),
                }
            ),
        )


def apply_promotions(
    work: LineWork, data: PricingData, coupon: Promotion | None, *, currency: str
) -> bool:
    """The best automatic promotion, then the coupon's; True if the coupon applied here."""
    best = None
    for promotion in data.promotions:
        if not _applies(promotion, work, data) or not _eligible(promotion, data):
            continue
        if promotion.max_uses is not None and promotion.uses >= promotion.max_uses:
            continue
        amount, text = _discount(promotion, work, work.remaining, data)
        if amount > 0 and (best is None or amount > best[0]):
            best = (amount, text, promotion)
    if best is None:
        work.say("promotion", _("No promotion applies."), Decimal(0))
    else:
        amount, text, promotion = best
        work.discounts.append(DiscountWork("promotion", promotion.name, amount, promotion.pk))
        work.say("promotion", text(), amount)
    if coupon is None or not _applies(coupon, work, data):
        return False
    amount, text = _discount(coupon, work, work.remaining, data)
    work.discounts.append(DiscountWork("coupon", coupon.name, amount, coupon.pk))
    work.say(
        "coupon",
        _("Coupon %(code)s: %(text)s") % {"code": coupon.coupon_code, "text": text()},
        amount,
    )
    return True


def apply_manual(work: LineWork) -> None:
    if work.manual <= 0:
        work.say("manual_discount", _("No manual discount."), Decimal(0))
    else:
        amount = cents(work.remaining * work.manual / HUNDRED)
        work.discounts.append(DiscountWork("manual", _("Manual discount"), amount))
        work.say(
            "manual_discount",
            _("Manual discount of %(percent)s %%: −%(amount)s.")
            % {"percent": number(work.manual.normalize()), "amount": work.money(amount)},
            amount,
        )
    work.net = work.remaining


def apply_tax(work: LineWork) -> None:
    tax = work.product.tax
    if tax is None or not tax.rate:
        work.tax = Decimal(0)
        work.say(
            "tax",
            _("Net %(net)s; no tax applies: total %(total)s.")
            % {"net": work.money(work.net), "total": work.money(work.net)},
            Decimal(0),
        )
        return
    work.tax = cents(work.net * tax.rate / HUNDRED)
    work.say(
        "tax",
        _("Net %(net)s; %(tax)s (%(rate)s %%): %(amount)s; total %(total)s.")
        % {
            "net": work.money(work.net),
            "tax": tax.name,
            "rate": number(tax.rate.normalize()),
            "amount": work.money(work.tax),
            "total": work.money(work.net + work.tax),
        },
        work.tax,
    )
