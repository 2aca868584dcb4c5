"""API shapes of the catalogue's reference data written through the API: categories,
units, taxes and exchange rates (the Out shapes of the first three live in
``schemas/__init__``, where the product's shapes use them)."""

import datetime
from decimal import Decimal

from ninja import Field, Schema

from panorama.core.validation import text_field

from ..models import Category, Tax, Unit

_CODE = "letters, digits, hyphens and underscores; never changes"
_PARENT = "the id of the parent category; null: top level"


class CategoryIn(Schema):
    name: str = text_field(Category, "name")
    parent_id: int | None = Field(None, description=_PARENT)


class CategoryPatch(Schema):
    name: str | None = text_field(Category, "name", None)
    parent_id: int | None = Field(None, description=_PARENT)


class UnitIn(Schema):
    code: str = text_field(Unit, "code", description=_CODE)
    name: str = text_field(Unit, "name")


class UnitPatch(Schema):
    name: str | None = text_field(Unit, "name", None)


class TaxIn(Schema):
    code: str = text_field(Tax, "code", description=_CODE)
    name: str = text_field(Tax, "name")
    rate: Decimal = Field(description="percentage, 0 to 100")
    active: bool = True


class TaxPatch(Schema):
    name: str | None = text_field(Tax, "name", None)
    rate: Decimal | None = Field(
        None, description="percentage, 0 to 100; quote and order lines keep the rate they had"
    )
    active: bool | None = None


class ExchangeRateOut(Schema):
    id: int
    currency: str = Field(description="ISO 4217 code")
    rate: Decimal = Field(description="units of the company currency one unit is worth")
    valid_from: datetime.date = Field(description="first day it applies, until the next rate")


class ExchangeRateIn(Schema):
    currency: str = Field(description="ISO 4217 code, not the company currency")
    rate: Decimal = Field(description="units of the company currency one unit is worth; > 0")
    valid_from: datetime.date = Field(
        description="first day it applies; a rate set for the same day is replaced"
    )
