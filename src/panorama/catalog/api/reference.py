"""The catalogue's reference data: /api/v1/catalog/categories, units, taxes,
exchange-rates and convert.

Every signed-in user reads them. Writes are the catalogue settings page's
(``views/settings.py``) through the same services (``services.products``): the same
permission (``catalog.manage``, 403 before the body is looked at, as on the page) and
the same refusals, word for word, as a 422 naming the field."""

import datetime
from contextlib import contextmanager
from decimal import Decimal

from django.utils import timezone
from ninja import Router, Status

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import ValidationFailed

from .. import selectors
from ..schemas import CategoryOut, ConvertOut, TaxOut, UnitOut
from ..schemas.reference import (
    CategoryIn,
    CategoryPatch,
    ExchangeRateIn,
    ExchangeRateOut,
    TaxIn,
    TaxPatch,
    UnitIn,
    UnitPatch,
)
from ..services import products as services

router = Router(tags=["catalog"])


def _manager(request) -> None:
    """403 for whoever may not change the catalogue (the services check again)."""
    ensure_can(request.user, "catalog.manage")


@contextmanager
def _parent_as_parent_id():
    """The service names the parent ``parent``; the API's body calls it ``parent_id``."""
    try:
        yield
    except ValidationFailed as exc:
        if exc.field != "parent":
            raise
        raise ValidationFailed(exc.message, field="parent_id") from None


def _changes(payload, *, nullable: frozenset[str] = frozenset()) -> dict:
    changes = payload.dict(exclude_unset=True)
    return {k: v for k, v in changes.items() if v is not None or k in nullable}


# --- categories -----------------------------------------------------------------------


@router.get("/catalog/categories", response=list[CategoryOut])
def category_list(request):
    return selectors.categories()


@router.post("/catalog/categories", response={201: CategoryOut})
def category_create(request, payload: CategoryIn):
    _manager(request)
    with _parent_as_parent_id():
        category = services.category_create(
            by=request.user, name=payload.name, parent=payload.parent_id
        )
    return Status(201, category)


@router.patch(
    "/catalog/categories/{category_id}",
    response=CategoryOut,
    description="Rename it, or move it (`parent_id`; null: to the top level).",
)
def category_update(request, category_id: int, payload: CategoryPatch):
    _manager(request)
    category = selectors.category_get(category_id=category_id)
    changes = _changes(payload, nullable=frozenset({"parent_id"}))
    if "parent_id" in changes:
        changes["parent"] = changes.pop("parent_id")
    with _parent_as_parent_id():
        return services.category_update(by=request.user, category=category, changes=changes)


# --- units ----------------------------------------------------------------------------


@router.get("/catalog/units", response=list[UnitOut])
def unit_list(request):
    return selectors.units()


@router.post("/catalog/units", response={201: UnitOut})
def unit_create(request, payload: UnitIn):
    _manager(request)
    return Status(201, services.unit_create(by=request.user, **payload.dict()))


@router.patch("/catalog/units/{unit_id}", response=UnitOut)
def unit_update(request, unit_id: int, payload: UnitPatch):
    _manager(request)
    unit = selectors.unit_get(unit_id=unit_id)
    return services.unit_update(by=request.user, unit=unit, changes=_changes(payload))


# --- taxes ----------------------------------------------------------------------------


@router.get("/catalog/taxes", response=list[TaxOut])
def tax_list(request):
    return selectors.taxes()


@router.post("/catalog/taxes", response={201: TaxOut})
def tax_create(request, payload: TaxIn):
    _manager(request)
    return Status(201, services.tax_create(by=request.user, **payload.dict()))


@router.patch(
    "/catalog/taxes/{tax_id}",
    response=TaxOut,
    description="A new rate applies to lines priced from now on: quote and order lines "
    "keep the tax name and rate they were priced with.",
)
def tax_update(request, tax_id: int, payload: TaxPatch):
    _manager(request)
    tax = selectors.tax_get(tax_id=tax_id)
    return services.tax_update(by=request.user, tax=tax, changes=_changes(payload))


# --- exchange rates -------------------------------------------------------------------


@router.get(
    "/catalog/exchange-rates",
    response=list[ExchangeRateOut],
    summary="The exchange rates set, by currency, newest first",
)
def exchange_rate_list(request, currency: str = ""):
    return selectors.exchange_rates(currency=currency)


@router.post(
    "/catalog/exchange-rates",
    response={201: ExchangeRateOut},
    summary="Set a currency's rate from a day on",
    description="Emits `exchange_rate.changed`. Refused (422): a rate of 0 or less, the "
    "company currency, a code that is no ISO 4217 currency.",
)
def exchange_rate_set(request, payload: ExchangeRateIn):
    _manager(request)
    row = services.exchange_rate_set(by=request.user, **payload.dict())
    return Status(201, row)


@router.get("/catalog/convert", response=ConvertOut, summary="Convert an amount between currencies")
def convert(request, amount: Decimal, currency: str, to: str = "", on: datetime.date | None = None):
    day = on or timezone.localdate()
    converted = selectors.convert(amount, currency=currency, to=to or None, on=day)
    return {
        "amount": amount,
        "currency": currency.upper(),
        "to": (to or selectors.company_currency()).upper(),
        "on": day,
        "converted": converted,
    }
