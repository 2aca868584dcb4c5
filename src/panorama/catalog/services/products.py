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
from .stock import stock_opening

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
    "lead_time_days",
}
_STOCK_FIELDS = ("stock_on_hand", "stock_reserved", "lead_time_days")


def _stock_refused(product: Product | None, fields: dict[str, Any]) -> None:
    """Stock on hand and reserved move only through ``services.stock`` (each move
    recorded): a create may give the opening stock on hand, nothing else sets them.
    The same value as now is no change and passes (a client sending back what it read)."""
    current = {name: getattr(product, name) if product else 0 for name in _STOCK_FIELDS}
    reserved = fields.pop("stock_reserved", current["stock_reserved"])
    if reserved is not None and reserved != current["stock_reserved"]:
        raise ValidationFailed(
            _(
                "Reserved stock is what confirmed orders hold: it follows their "
                "reservations and cannot be set by hand."
            ),
            field="stock_reserved",
        )
    if product is not None:
        on_hand = fields.pop("stock_on_hand", current["stock_on_hand"])
        if on_hand is not None and on_hand != current["stock_on_hand"]:
            raise ValidationFailed(
                _(
                    "Stock on hand changes only through stock receipts and count "
                    "adjustments, each recorded: use those."
                ),
                field="stock_on_hand",
            )


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
    _stock_refused(None, fields)
    unknown = set(fields) - PRODUCT_FIELDS - {"stock_on_hand"}
    if unknown:
        raise ValidationFailed(
            _("These fields are not known: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    fields.setdefault("currency", company_currency())
    fields.setdefault("list_price", None)
    product = Product(**fields)
    _product_check(product)
    if product.stock_on_hand and not product.track_stock:
        raise ValidationFailed(
            _("Turn on “track stock” to give a stock on hand."), field="stock_on_hand"
        )
    product.save()
    stock_opening(product=product, by=by)
    emit("product.created", product_id=product.pk, sku=product.sku, by=by.pk if by else None)
    return product


@transaction.atomic
def product_update(*, product: Product, by: User | None, changes: dict[str, Any]) -> Product:
    """Change some of a product's fields; the event names the ones that changed."""
    ensure_can(by, "catalog.manage")
    product = Product.objects.select_for_update().get(pk=product.pk)
    changes = dict(changes)
    _stock_refused(product, changes)
    unknown = set(changes) - PRODUCT_FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
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


def _category_check(category: Category) -> None:
    category.name = (category.name or "").strip()
    rules_for(Category).check(category)
    siblings = Category.objects.filter(parent_id=category.parent_id, name__iexact=category.name)
    if siblings.exclude(pk=category.pk).exists():
        raise field_error(Category, "name", _("This category already exists here."))
    # A category cannot sit under itself or one of its own subcategories.
    seen: set[int] = set()
    parent_id = category.parent_id
    while parent_id is not None and category.pk is not None:
        if parent_id == category.pk:
            raise field_error(
                Category, "parent", _("A category cannot go under itself or its subcategories.")
            )
        if parent_id in seen:
            break
        seen.add(parent_id)
        parent_id = Category.objects.filter(pk=parent_id).values_list("parent_id", flat=True)[0]


def _category_parent(parent: Category | int | None) -> int | None:
    """The parent's id, checked to exist (a 422 on ``parent`` otherwise)."""
    if parent is None:
        return None
    parent_id = parent.pk if isinstance(parent, Category) else parent
    valid = isinstance(parent_id, int) and not isinstance(parent_id, bool) and 0 < parent_id < 2**63
    if not valid or not Category.objects.filter(pk=parent_id).exists():
        raise ValidationFailed(
            _("There is no category %(id)s.") % {"id": parent_id}, field="parent"
        )
    return parent_id


@transaction.atomic
def category_create(
    *, by: User | None, name: str, parent: Category | int | None = None
) -> Category:
    ensure_can(by, "catalog.manage")
    category = Category(name=name or "", parent_id=_category_parent(parent))
    _category_check(category)
    category.save()
    return category


@transaction.atomic
def category_update(*, by: User | None, category: Category, changes: dict[str, Any]) -> Category:
    """Rename a category (``name``) or move it under another (``parent``: a category, its
    id, or None for the top level)."""
    ensure_can(by, "catalog.manage")
    _known(changes, {"name", "parent"})
    category = Category.objects.select_for_update().get(pk=category.pk)
    if "name" in changes:
        category.name = changes["name"] or ""
    if "parent" in changes:
        category.parent_id = _category_parent(changes["parent"])
    _category_check(category)
    category.save()
    return category


def _known(changes: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )


def _unit_check(unit: Unit) -> None:
    unit.code = (unit.code or "").strip()
    unit.name = (unit.name or "").strip()
    rules_for(Unit).check(unit)
    code_check(Unit, unit.code)
    if Unit.objects.filter(code__iexact=unit.code).exclude(pk=unit.pk).exists():
        raise field_error(Unit, "code", _("This code is taken."))


@transaction.atomic
def unit_create(*, by: User | None, code: str, name: str) -> Unit:
    ensure_can(by, "catalog.manage")
    unit = Unit(code=code or "", name=name or "")
    _unit_check(unit)
    unit.save()
    return unit


@transaction.atomic
def unit_update(*, by: User | None, unit: Unit, changes: dict[str, Any]) -> Unit:
    """Rename a unit (its code never changes)."""
    ensure_can(by, "catalog.manage")
    _known(changes, {"name"})
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if "name" in changes:
        unit.name = changes["name"] or ""
    _unit_check(unit)
    unit.save()
    return unit


def _tax_check(tax: Tax) -> None:
    tax.code = (tax.code or "").strip()
    tax.name = (tax.name or "").strip()
    tax.rate = decimal_clean(tax.rate, field="rate")
    if not Decimal(0) <= tax.rate <= Decimal(100):
        raise field_error(Tax, "rate", _("A tax rate is between 0 and 100 %."))
    rules_for(Tax).check(tax)
    code_check(Tax, tax.code)
    if Tax.objects.filter(code__iexact=tax.code).exclude(pk=tax.pk).exists():
        raise field_error(Tax, "code", _("This code is taken."))


@transaction.atomic
def tax_create(
    *, by: User | None, code: str, name: str, rate: Decimal | str, active: bool = True
) -> Tax:
    ensure_can(by, "catalog.manage")
    tax = Tax(code=code or "", name=name or "", rate=rate, active=bool(active))
    _tax_check(tax)
    tax.save()
    return tax


@transaction.atomic
def tax_update(*, by: User | None, tax: Tax, changes: dict[str, Any]) -> Tax:
    """Rename a tax, change its rate or (de)activate it (its code never changes).

    Quote and order lines keep the tax name and rate they were priced with, so a new rate
    applies to lines priced from now on, never to existing ones."""
    ensure_can(by, "catalog.manage")
    _known(changes, {"name", "rate", "active"})
    tax = Tax.objects.select_for_update().get(pk=tax.pk)
    for name, value in changes.items():
        setattr(tax, name, bool(value) if name == "active" else value)
    _tax_check(tax)
    tax.save()
    return tax


@transaction.atomic
def exchange_rate_set(
    *,
    by: User | None,
    currency: str,
    rate: Decimal | str,
    valid_from: datetime.date | str | None,
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
    if isinstance(valid_from, str):
        try:
            valid_from = datetime.date.fromisoformat(valid_from.strip())
        except ValueError:
            valid_from = None
    if not isinstance(valid_from, datetime.date):
        raise field_error(ExchangeRate, "valid_from", _("Give a date."))
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
