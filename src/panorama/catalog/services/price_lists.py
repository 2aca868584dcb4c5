"""Writes to price lists, their items and promotions (``catalog.manage``)."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.core.validation import field_error, rules_for

from ..models import Category, PriceList, PriceListItem, Product, Promotion
from ..selectors.money import company_currency, currency_clean
from .products import decimal_clean


def _dates(valid_from: datetime.date | None, valid_until: datetime.date | None) -> None:
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationFailed(
            _("The end date cannot be before the start date."), field="valid_until"
        )


def _codes(values: Iterable[str], *, field: str) -> list[str]:
    codes = []
    for value in values or []:
        if not isinstance(value, str) or not value.strip():
            raise ValidationFailed(_("Give a list of codes."), field=field)
        codes.append(value.strip().lower() if field == "segments" else value.strip())
    return codes


@transaction.atomic
def price_list_create(
    *,
    by: User | None,
    code: str,
    name: str,
    currency: str | None = None,
    segment: str = "",
    channel: str = "",
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    active: bool = True,
) -> PriceList:
    """A price list for a segment and/or a channel (empty: any), in one currency."""
    ensure_can(by, "catalog.manage")
    price_list = PriceList(
        code=(code or "").strip(),
        name=(name or "").strip(),
        currency=currency_clean(currency or company_currency()),
        segment=(segment or "").strip().lower(),
        channel=channel or "",
        valid_from=valid_from,
        valid_until=valid_until,
        active=active,
    )
    rules_for(PriceList).check(price_list)
    _dates(valid_from, valid_until)
    if PriceList.objects.filter(code=price_list.code).exists():
        raise field_error(PriceList, "code", _("This code is taken."))
    price_list.save()
    emit("price_list.changed", price_list_id=price_list.pk, code=price_list.code, by=_pk(by))
    return price_list


@transaction.atomic
def price_list_item_set(
    *,
    by: User | None,
    price_list: PriceList,
    product: Product,
    price: Decimal | str | None = None,
    discount_percent: Decimal | str | None = None,
    min_quantity: Decimal | str | int = 1,
) -> PriceListItem:
    """``product``'s unit price in ``price_list`` from ``min_quantity`` units: a fixed
    ``price`` (in the list's currency) or a ``discount_percent`` off the list price."""
    ensure_can(by, "catalog.manage")
    if (price is None) == (discount_percent is None):
        raise ValidationFailed(
            _("Give either a unit price or a discount percentage."), field="price"
        )
    item = PriceListItem(
        price_list=price_list,
        product=product,
        min_quantity=decimal_clean(min_quantity, field="min_quantity"),
        price=None if price is None else decimal_clean(price, field="price"),
        discount_percent=(
            None
            if discount_percent is None
            else decimal_clean(discount_percent, field="discount_percent")
        ),
    )
    rules_for(PriceListItem).check(item)
    if item.price is not None and item.price < 0:
        raise field_error(PriceListItem, "price", _("A price cannot be negative."))
    if item.discount_percent is not None and not 0 <= item.discount_percent <= 100:
        raise field_error(
            PriceListItem, "discount_percent", _("A percentage is between 0 and 100.")
        )
    if item.min_quantity < 0:
        raise field_error(PriceListItem, "min_quantity", _("A quantity cannot be negative."))
    item, _created = PriceListItem.objects.update_or_create(
        price_list=price_list,
        product=product,
        min_quantity=item.min_quantity,
        defaults={"price": item.price, "discount_percent": item.discount_percent},
    )
    emit("price_list.changed", price_list_id=price_list.pk, code=price_list.code, by=_pk(by))
    return item


def _pk(user: User | None) -> int | None:
    return user.pk if user else None


def _promotion_check(promotion: Promotion) -> None:
    rules_for(Promotion).check(promotion)
    kind = Promotion.Kind
    if promotion.kind == kind.PERCENT and not 0 < promotion.value <= 100:
        raise field_error(Promotion, "value", _("A percentage is between 0 and 100."))
    if promotion.kind == kind.AMOUNT and promotion.value <= 0:
        raise field_error(Promotion, "value", _("Give the amount off per unit."))
    if promotion.kind == kind.BUY_X_GET_Y and (
        promotion.buy_quantity < 1 or promotion.free_quantity < 1
    ):
        raise field_error(
            Promotion, "free_quantity", _("Say how many to buy and how many come free.")
        )
    _dates(promotion.valid_from, promotion.valid_until)
    if Promotion.objects.filter(code=promotion.code).exclude(pk=promotion.pk).exists():
        raise field_error(Promotion, "code", _("This code is taken."))
    if (
        promotion.coupon_code
        and Promotion.objects.filter(coupon_code__iexact=promotion.coupon_code)
        .exclude(pk=promotion.pk)
        .exists()
    ):
        raise field_error(Promotion, "coupon_code", _("Another promotion has this coupon code."))


@transaction.atomic
def promotion_create(
    *,
    by: User | None,
    code: str,
    name: str,
    kind: str,
    value: Decimal | str = Decimal(0),
    currency: str | None = None,
    buy_quantity: int = 0,
    free_quantity: int = 0,
    coupon_code: str = "",
    channel: str = "",
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    max_uses: int | None = None,
    segments: Iterable[str] = (),
    holding_codes: Iterable[str] = (),
    products: Iterable[Product] = (),
    categories: Iterable[Category] = (),
    active: bool = True,
) -> Promotion:
    """A promotion; with ``coupon_code`` it applies only when the coupon is given."""
    ensure_can(by, "catalog.manage")
    promotion = Promotion(
        code=(code or "").strip(),
        name=(name or "").strip(),
        kind=kind,
        value=decimal_clean(value, field="value"),
        currency=currency_clean(currency or company_currency()),
        buy_quantity=buy_quantity,
        free_quantity=free_quantity,
        coupon_code=(coupon_code or "").strip().upper(),
        channel=channel or "",
        valid_from=valid_from,
        valid_until=valid_until,
        max_uses=max_uses,
        segments=_codes(segments, field="segments"),
        holding_codes=_codes(holding_codes, field="holding_codes"),
        active=active,
    )
    _promotion_check(promotion)
    promotion.save()
    promotion.products.set(products)
    promotion.categories.set(categories)
    emit("promotion.changed", promotion_id=promotion.pk, code=promotion.code, by=_pk(by))
    return promotion


@transaction.atomic
def promotion_redeem(*, by: User | None, promotion: Promotion) -> Promotion:
    """Count one use of ``promotion`` (a quote accepted, an order placed with it):
    ``Conflict`` once its maximum number of uses is reached. Pricing never counts."""
    locked = Promotion.objects.select_for_update().get(pk=promotion.pk)
    if locked.max_uses is not None and locked.uses >= locked.max_uses:
        raise Conflict(
            _("The promotion %(name)s has been used its %(n)s times.")
            % {"name": locked.name, "n": locked.max_uses},
            field="coupon",
        )
    locked.uses += 1
    locked.save(update_fields=["uses"])
    emit("promotion.redeemed", promotion_id=locked.pk, uses=locked.uses, by=_pk(by))
    return locked
