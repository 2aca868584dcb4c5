"""Writes to the catalogue's products and reference data (categories, units, taxes).

Every write checks ``catalog.manage`` and the model's rules, and emits its event; the
API, the screens, the admin's seeding and the shell all come through here.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.core.validation import field_error, rules_for

from ..models import Category, ExchangeRate, Product, Tax, Unit
from ..selectors.money import company_currency, currency_clean

PRODUCT_FIELDS = {
    "sku",
    "name",
    "description",
    "kind",
    "category_id",
    "unit_id",
    "tax_id",
    "list_price",
    "currency",
    "active",
    "track_stock",
    "stock_on_hand",
    "stock_reserved",
    "lead_time_days",
}
_STOCK_FIELDS = ("stock_on_hand", "stock_reserved", "lead_time_days")
_LINKS = {"category_id": Category, "unit_id": Unit, "tax_id": Tax}


def decimal_clean(value: Any, *, field: str) -> Decimal:
    """A number given as text or number, or ValidationFailed naming ``field``."""
    try:
        number = Decimal(str(value).strip().replace(",", ".")) if value is not None else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise ValidationFailed(_("Give a number."), field=field)
    return number


def dates_in_order(valid_from: datetime.date | None, valid_until: datetime.date | None) -> None:
    """A validity period's end is not before its start (price lists, promotions)."""
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationFailed(
            _("The end date cannot be before the start date."), field="valid_until"
        )


def code_check(model: type, code: str) -> None:
    """A code (what quotes and URLs name a record by): letters, digits, - and _."""
    if code and not re.fullmatch(r"[-a-zA-Z0-9_]+", code):
        raise field_error(model, "code", _("Use only letters, digits, hyphens and underscores."))


def _product_check(product: Product) -> None:
    product.sku = (product.sku or "").strip()
    product.name = (product.name or "").strip()
    if not product.sku:
        raise field_error(Product, "sku", _("A product needs a SKU."))
    if not product.name:
        raise field_error(Product, "name", _("A product needs a name."))
    product.list_price = decimal_clean(product.list_price, field="list_price")
    if product.list_price < 0:
        raise field_error(Product, "list_price", _("A price cannot be negative."))
    product.currency = currency_clean(product.currency)
    for name in _STOCK_FIELDS:
        value = getattr(product, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise field_error(Product, name, _("Give a whole number of 0 or more."))
    rules_for(Product).check(product)
    for name, model in _LINKS.items():
        value = getattr(product, name)
        if value is not None and not model._default_manager.filter(pk=value).exists():
            raise ValidationFailed(
                _("There is no %(what)s %(id)s.") % {"what": model._meta.verbose_name, "id": value},
                field=name,
            )
    taken = Product.objects.filter(sku__iexact=product.sku).exclude(pk=product.pk)
    if taken.exists():
        raise field_error(
            Product, "sku", _("Another product already has the SKU %(sku)s.") % {"sku": product.sku}
        )


@transaction.atomic
def product_create(*, by: User | None, **fields: Any) -> Product:
    """Add a product or service. ``fields`` are ``PRODUCT_FIELDS`` (sku, name, list_price
    are needed; currency defaults to the company currency)."""
    ensure_can(by, "catalog.manage")
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields are not known: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    fields.setdefault("currency", company_currency())
    fields.setdefault("list_price", None)
    product = Product(**fields)
    _product_check(product)
    product.save()
    emit("product.created", product_id=product.pk, sku=product.sku, by=by.pk if by else None)
    return product


@transaction.atomic
def product_update(*, product: Product, by: User | None, changes: dict[str, Any]) -> Product:
    """Change some of a product's fields; the event names the ones that changed."""
    ensure_can(by, "catalog.manage")
    unknown = set(changes) - PRODUCT_FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    product = Product.objects.select_for_update().get(pk=product.pk)
    before = {name: getattr(product, name) for name in PRODUCT_FIELDS}
    for name, value in changes.items():
        setattr(product, name, value)
    _product_check(product)
    changed = sorted(name for name in PRODUCT_FIELDS if getattr(product, name) != before[name])
    if changed:
        product.save()
        emit(
            "product.updated",
            product_id=product.pk,
            fields=[name.removesuffix("_id") for name in changed],
            by=by.pk if by else None,
        )
    return product


@transaction.atomic
def category_create(*, by: User | None, name: str, parent: Category | None = None) -> Category:
    ensure_can(by, "catalog.manage")
    category = Category(name=(name or "").strip(), parent=parent)
    rules_for(Category).check(category)
    if Category.objects.filter(parent=parent, name__iexact=category.name).exists():
        raise field_error(Category, "name", _("This category already exists here."))
    category.save()
    return category


@transaction.atomic
def unit_create(*, by: User | None, code: str, name: str) -> Unit:
    ensure_can(by, "catalog.manage")
    unit = Unit(code=(code or "").strip(), name=(name or "").strip())
    rules_for(Unit).check(unit)
    if Unit.objects.filter(code=unit.code).exists():
        raise field_error(Unit, "code", _("This code is taken."))
    unit.save()
    return unit


@transaction.atomic
def tax_create(*, by: User | None, code: str, name: str, rate: Decimal | str) -> Tax:
    ensure_can(by, "catalog.manage")
    tax = Tax(code=(code or "").strip(), name=(name or "").strip())
    tax.rate = decimal_clean(rate, field="rate")
    if not Decimal(0) <= tax.rate <= Decimal(100):
        raise field_error(Tax, "rate", _("A tax rate is between 0 and 100 %."))
    rules_for(Tax).check(tax)
    if Tax.objects.filter(code=tax.code).exists():
        raise field_error(Tax, "code", _("This code is taken."))
    tax.save()
    return tax


@transaction.atomic
def exchange_rate_set(
    *, by: User | None, currency: str, rate: Decimal | str, valid_from: datetime.date
) -> ExchangeRate:
    """From ``valid_from`` on, one ``currency`` is worth ``rate`` company-currency units
    (replacing a rate set for that same day)."""
    ensure_can(by, "catalog.manage")
    code = currency_clean(currency)
    if code == company_currency():
        raise ValidationFailed(
            _("%(code)s is the company currency: its rate is always 1.") % {"code": code},
            field="currency",
        )
    value = decimal_clean(rate, field="rate")
    if value <= 0:
        raise field_error(ExchangeRate, "rate", _("A rate must be more than 0."))
    row = ExchangeRate(currency=code, rate=value, valid_from=valid_from)
    rules_for(ExchangeRate).check(row)
    row, _created = ExchangeRate.objects.update_or_create(
        currency=code, valid_from=valid_from, defaults={"rate": value}
    )
    emit(
        "exchange_rate.changed",
        currency=code,
        rate=str(value),
        valid_from=valid_from.isoformat(),
        by=by.pk if by else None,
    )
    return row
