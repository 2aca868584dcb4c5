"""Writes to price lists and their items (``catalog.manage``).

A price list and its items pass one check (``_price_list_check``) whether they are
created, changed, or one item is set or removed: the screens, the API, the demo and the
shell get the same refusals. A price list is never deleted (quotes name it by its code,
which therefore never changes): it is archived (``active=False``).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.core.validation import field_error, rules_for

from ..models import PriceList, PriceListItem, Product
from ..selectors.money import company_currency, currency_clean
from .products import code_check, dates_in_order, decimal_clean

# Promotions lived here first: their importers keep working.
from .promotions import promotion_create, promotion_redeem, promotion_update  # noqa: F401

PRICE_LIST_FIELDS = {
    "name",
    "currency",
    "segment",
    "channel",
    "valid_from",
    "valid_until",
    "active",
    "items",
}


@dataclass(frozen=True)
class ItemData:
    """One item as typed or sent: a fixed ``price`` or a ``discount_percent``."""

    product_id: int
    price: Decimal | str | None = None
    discount_percent: Decimal | str | None = None
    min_quantity: Decimal | str | int = 1


def _pk(user: User | None) -> int | None:
    return user.pk if user else None


def _where(n: int | None, name: str) -> str:
    return name if n is None else f"items.{n}.{name}"


def _refuse(n: int | None, name: str, message: str) -> ValidationFailed:
    if n is None:
        return field_error(PriceListItem, name, message)
    text = _("Item %(n)s: %(message)s") % {"n": n + 1, "message": message}
    return ValidationFailed(text, field=_where(n, name), errors={_where(n, name): [message]})


def _item_build(price_list: PriceList, data: ItemData, n: int | None) -> PriceListItem:
    """The item ``data`` describes, its own rules checked (the list's are checked by
    ``_price_list_check``)."""
    if (data.price in (None, "")) == (data.discount_percent in (None, "")):
        raise _refuse(n, "price", _("Give either a unit price or a discount percentage."))
    item = PriceListItem(
        price_list=price_list,
        product_id=data.product_id,
        min_quantity=decimal_clean(data.min_quantity, field=_where(n, "min_quantity")),
        price=(
            None
            if data.price in (None, "")
            else decimal_clean(data.price, field=_where(n, "price"))
        ),
        discount_percent=(
            None
            if data.discount_percent in (None, "")
            else decimal_clean(data.discount_percent, field=_where(n, "discount_percent"))
        ),
    )
    if item.price is not None and item.price < 0:
        raise _refuse(n, "price", _("A price cannot be negative."))
    if item.discount_percent is not None and not 0 <= item.discount_percent <= 100:
        raise _refuse(n, "discount_percent", _("A percentage is between 0 and 100."))
    if item.min_quantity < 0:
        raise _refuse(n, "min_quantity", _("A quantity cannot be negative."))
    try:
        rules_for(PriceListItem).check(item)
    except ValidationFailed as exc:
        message = str(exc.errors.get(exc.field, [exc.message])[0])
        raise _refuse(n, exc.field or "price", message) from None
    return item


def _price_list_check(
    price_list: PriceList,
    items: Sequence[PriceListItem],
    *,
    numbered: bool = True,
    before: PriceList | None = None,
) -> None:
    """Everything a price list and its items must satisfy, on every path:
    the model's field rules, a code of letters and digits that no other list has, a
    known currency, dates in order, items whose products exist and that never give the
    same product two prices from the same quantity (one would hide the other). A list
    with fixed prices keeps its currency (they would silently change meaning)."""
    price_list.code = (price_list.code or "").strip()
    price_list.name = (price_list.name or "").strip()
    price_list.segment = (price_list.segment or "").strip().lower()
    price_list.currency = currency_clean(price_list.currency)
    rules_for(PriceList).check(price_list)
    code_check(PriceList, price_list.code)
    dates_in_order(price_list.valid_from, price_list.valid_until)
    taken = PriceList.objects.filter(code=price_list.code).exclude(pk=price_list.pk)
    if taken.exists():
        raise field_error(PriceList, "code", _("This code is taken."))
    known = dict(
        Product.objects.filter(pk__in={i.product_id for i in items}).values_list("pk", "name")
    )
    seen: dict[tuple[int, Decimal], int] = {}
    for n, item in enumerate(items):
        at = n if numbered else None
        if item.product_id not in known:
            raise _refuse(at, "product", _("There is no product %(id)s.") % {"id": item.product_id})
        key = (item.product_id, item.min_quantity.normalize())
        if key in seen:
            raise _refuse(
                at,
                "min_quantity",
                _("%(product)s already has a price from %(quantity)s units in this list.")
                % {
                    "product": known[item.product_id],
                    "quantity": format(item.min_quantity.normalize(), "f"),
                },
            )
        seen[key] = n
    if (
        before is not None
        and before.currency != price_list.currency
        and any(i.price is not None for i in items)
    ):
        raise field_error(
            PriceList,
            "currency",
            _("This list has fixed prices in %(currency)s: remove them before changing it.")
            % {"currency": before.currency},
        )


def _save_items(price_list: PriceList, items: Sequence[PriceListItem]) -> None:
    price_list.items.all().delete()
    PriceListItem.objects.bulk_create(items)


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
    items: Iterable[ItemData] = (),
) -> PriceList:
    """A price list for a segment and/or a channel (empty: any), in one currency."""
    ensure_can(by, "catalog.manage")
    price_list = PriceList(
        code=code or "",
        name=name or "",
        currency=currency or company_currency(),
        segment=segment or "",
        channel=channel or "",
        valid_from=valid_from,
        valid_until=valid_until,
        active=active,
    )
    built = [_item_build(price_list, data, n) for n, data in enumerate(items)]
    _price_list_check(price_list, built)
    price_list.save()
    for item in built:
        item.price_list = price_list
    _save_items(price_list, built)
    emit("price_list.changed", price_list_id=price_list.pk, code=price_list.code, by=_pk(by))
    return price_list


@transaction.atomic
def price_list_update(
    *, by: User | None, price_list: PriceList, changes: dict[str, Any]
) -> PriceList:
    """Change some fields of a price list; ``items`` (a list of ``ItemData``) replaces
    all its items. Its code never changes: quotes name the list by it."""
    ensure_can(by, "catalog.manage")
    unknown = set(changes) - PRICE_LIST_FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    locked = PriceList.objects.select_for_update().get(pk=price_list.pk)
    before = PriceList(**{f.attname: getattr(locked, f.attname) for f in PriceList._meta.fields})
    for name, value in changes.items():
        if name != "items":
            setattr(locked, name, value)
    if "items" in changes:
        items = [_item_build(locked, data, n) for n, data in enumerate(changes["items"] or [])]
    else:
        items = list(locked.items.all())
    _price_list_check(locked, items, before=before)
    locked.save()
    if "items" in changes:
        _save_items(locked, items)
    emit("price_list.changed", price_list_id=locked.pk, code=locked.code, by=_pk(by))
    return locked


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
    ``price`` (in the list's currency) or a ``discount_percent`` off the list price.
    An item for the same product and quantity is replaced."""
    ensure_can(by, "catalog.manage")
    item = _item_build(
        price_list,
        ItemData(product.pk, price, discount_percent, min_quantity),
        None,
    )
    others = [
        i
        for i in price_list.items.all()
        if not (i.product_id == product.pk and i.min_quantity == item.min_quantity)
    ]
    _price_list_check(price_list, [*others, item], numbered=False)
    item, _created = PriceListItem.objects.update_or_create(
        price_list=price_list,
        product=product,
        min_quantity=item.min_quantity,
        defaults={"price": item.price, "discount_percent": item.discount_percent},
    )
    emit("price_list.changed", price_list_id=price_list.pk, code=price_list.code, by=_pk(by))
    return item


@transaction.atomic
def price_list_item_remove(*, by: User | None, item: PriceListItem) -> None:
    """Take one price out of its list (quotes keep the prices they were given)."""
    ensure_can(by, "catalog.manage")
    price_list = item.price_list
    item.delete()
    emit("price_list.changed", price_list_id=price_list.pk, code=price_list.code, by=_pk(by))
