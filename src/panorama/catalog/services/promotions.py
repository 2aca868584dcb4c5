"""Writes to promotions (``catalog.manage``) and the count of their uses.

Creating and changing a promotion pass one check (``_promotion_check``). A promotion is
never deleted (quotes and orders counted their uses of it): it is archived
(``active=False``); its code never changes, its coupon code is unique whatever its case.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.core.validation import field_error, rules_for

from ..models import Category, Product, Promotion
from ..selectors.money import company_currency, currency_clean
from .products import code_check, dates_in_order, decimal_clean

PROMOTION_FIELDS = {
    "name",
    "kind",
    "value",
    "currency",
    "buy_quantity",
    "free_quantity",
    "coupon_code",
    "channel",
    "valid_from",
    "valid_until",
    "max_uses",
    "segments",
    "holding_codes",
    "product_ids",
    "category_ids",
    "active",
}


def _pk(user: User | None) -> int | None:
    return user.pk if user else None


def _codes(values: Iterable[str] | str | None, *, field: str) -> list[str]:
    """Segment codes (lower-cased) or held product codes, each once, none empty."""
    if isinstance(values, str):
        values = values.replace("\n", ",").split(",")
        values = [v for v in values if v.strip()]
    codes: list[str] = []
    for value in values or []:
        if not isinstance(value, str) or not value.strip():
            raise ValidationFailed(_("Give a list of codes."), field=field)
        if len(value.strip()) > 40:
            raise ValidationFailed(_("A code has at most 40 characters."), field=field)
        code = value.strip().lower() if field == "segments" else value.strip()
        if code not in codes:
            codes.append(code)
    return codes


def _count(value: Any, *, field: str, null: bool = False) -> int | None:
    if value in (None, "") and null:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise field_error(Promotion, field, _("Give a whole number, 0 or more."))
    if value > 2_147_483_647:
        raise field_error(Promotion, field, _("This number is too large."))
    return value


def _linked(model: type, ids: Iterable[int] | None, *, field: str) -> list:
    wanted = list(dict.fromkeys(ids or []))
    if any(isinstance(i, bool) or not isinstance(i, int) for i in wanted):
        raise ValidationFailed(_("Give a list of ids."), field=field)
    found = {o.pk: o for o in model.objects.filter(pk__in=wanted)}  # type: ignore[attr-defined]
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise ValidationFailed(
            _("These do not exist: %(ids)s.") % {"ids": ", ".join(missing)}, field=field
        )
    return [found[i] for i in wanted]


def _promotion_check(promotion: Promotion) -> None:
    """Everything a promotion must satisfy, on every path: the field rules, a code of
    letters and digits no other promotion has, a known currency, a value that fits its
    kind (a percentage in (0, 100], an amount above 0, buy X get Y both at least 1),
    dates in order, a maximum of uses not below the uses already counted, and a coupon
    code no other promotion has whatever its case."""
    promotion.code = (promotion.code or "").strip()
    promotion.name = (promotion.name or "").strip()
    promotion.coupon_code = (promotion.coupon_code or "").strip().upper()
    promotion.currency = currency_clean(promotion.currency)
    promotion.value = decimal_clean(promotion.value, field="value")
    promotion.buy_quantity = _count(promotion.buy_quantity, field="buy_quantity") or 0
    promotion.free_quantity = _count(promotion.free_quantity, field="free_quantity") or 0
    promotion.max_uses = _count(promotion.max_uses, field="max_uses", null=True)
    rules_for(Promotion).check(promotion)
    code_check(Promotion, promotion.code)
    if promotion.coupon_code and not promotion.coupon_code.replace("-", "").isalnum():
        raise field_error(
            Promotion, "coupon_code", _("Use only letters, digits and hyphens in a coupon code.")
        )
    kind = Promotion.Kind
    if promotion.value < 0:
        raise field_error(Promotion, "value", _("A value cannot be negative."))
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
    dates_in_order(promotion.valid_from, promotion.valid_until)
    if promotion.max_uses is not None and promotion.max_uses < promotion.uses:
        raise field_error(
            Promotion,
            "max_uses",
            _("It has already been used %(n)s times.") % {"n": promotion.uses},
        )
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
    product_ids: Iterable[int] | None = None,
    category_ids: Iterable[int] | None = None,
    active: bool = True,
) -> Promotion:
    """A promotion; with ``coupon_code`` it applies only when the coupon is given.
    Its products and categories come as objects or as ids (none: every product)."""
    ensure_can(by, "catalog.manage")
    promotion = Promotion(
        code=code or "",
        name=name or "",
        kind=kind,
        value=value,
        currency=currency or company_currency(),
        buy_quantity=buy_quantity,
        free_quantity=free_quantity,
        coupon_code=coupon_code or "",
        channel=channel or "",
        valid_from=valid_from,
        valid_until=valid_until,
        max_uses=max_uses,
        segments=_codes(segments, field="segments"),
        holding_codes=_codes(holding_codes, field="holding_codes"),
        active=active,
    )
    _promotion_check(promotion)
    chosen_products = (
        list(products)
        if product_ids is None
        else _linked(Product, product_ids, field="product_ids")
    )
    chosen_categories = (
        list(categories)
        if category_ids is None
        else _linked(Category, category_ids, field="category_ids")
    )
    promotion.save()
    promotion.products.set(chosen_products)
    promotion.categories.set(chosen_categories)
    emit("promotion.changed", promotion_id=promotion.pk, code=promotion.code, by=_pk(by))
    return promotion


@transaction.atomic
def promotion_update(
    *, by: User | None, promotion: Promotion, changes: dict[str, Any]
) -> Promotion:
    """Change some fields of a promotion (``product_ids`` / ``category_ids`` replace its
    products / categories). Its code and its count of uses never change here."""
    ensure_can(by, "catalog.manage")
    unknown = set(changes) - PROMOTION_FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    locked = Promotion.objects.select_for_update().get(pk=promotion.pk)
    for name, value in changes.items():
        if name in ("segments", "holding_codes"):
            value = _codes(value, field=name)
        if name not in ("product_ids", "category_ids"):
            setattr(locked, name, value)
    _promotion_check(locked)
    products = categories = None
    if "product_ids" in changes:
        products = _linked(Product, changes["product_ids"], field="product_ids")
    if "category_ids" in changes:
        categories = _linked(Category, changes["category_ids"], field="category_ids")
    locked.save()
    if products is not None:
        locked.products.set(products)
    if categories is not None:
        locked.categories.set(categories)
    emit("promotion.changed", promotion_id=locked.pk, code=locked.code, by=_pk(by))
    return locked


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


@transaction.atomic
def promotion_release(*, by: User | None, promotion: Promotion) -> Promotion:
    """Give back one use of ``promotion`` (the order that used it was cancelled), so a
    coupon with a maximum can be used again. Never below zero. The caller (the order's
    service, which checks its own permission) gives each use back once."""
    locked = Promotion.objects.select_for_update().get(pk=promotion.pk)
    locked.uses = max(locked.uses - 1, 0)
    locked.save(update_fields=["uses"])
    emit("promotion.released", promotion_id=locked.pk, uses=locked.uses, by=_pk(by))
    return locked
