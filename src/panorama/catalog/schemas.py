"""API shapes of the catalogue: explicit In/Out, never all model fields."""

import datetime
from decimal import Decimal

from ninja import Field, Schema

from panorama.core.validation import text_field

from .models import Product


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    description: str
    kind: str
    category_id: int | None
    category_name: str = ""
    unit_id: int | None
    unit_name: str = ""
    tax_id: int | None
    tax_rate: Decimal | None = None
    list_price: Decimal
    currency: str
    active: bool
    track_stock: bool
    stock_on_hand: int
    stock_reserved: int
    lead_time_days: int

    @staticmethod
    def resolve_category_name(obj) -> str:
        return obj.category.name if obj.category_id else ""

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name if obj.unit_id else ""

    @staticmethod
    def resolve_tax_rate(obj) -> Decimal | None:
        return obj.tax.rate if obj.tax_id else None


class ProductPageOut(Schema):
    items: list[ProductOut]
    next_cursor: str | None


class ProductFilters(Schema):
    search: str = ""
    kind: str = ""
    category_id: int | None = None
    active: bool | None = None
    cursor: str = ""
    limit: int = Field(50, ge=1, le=200)


class ProductIn(Schema):
    sku: str = text_field(Product, "sku")
    name: str = text_field(Product, "name")
    description: str = ""
    kind: str = Field("product", description="product or service")
    category_id: int | None = None
    unit_id: int | None = None
    tax_id: int | None = None
    list_price: Decimal
    currency: str = Field("", description="ISO 4217; empty: the company currency")
    active: bool = True
    track_stock: bool = False
    stock_on_hand: int = 0
    stock_reserved: int = 0
    lead_time_days: int = 0


class ProductPatch(Schema):
    sku: str | None = text_field(Product, "sku", None)
    name: str | None = text_field(Product, "name", None)
    description: str | None = None
    kind: str | None = None
    category_id: int | None = None
    unit_id: int | None = None
    tax_id: int | None = None
    list_price: Decimal | None = None
    currency: str | None = None
    active: bool | None = None
    track_stock: bool | None = None
    stock_on_hand: int | None = None
    stock_reserved: int | None = None
    lead_time_days: int | None = None


class AvailabilityOut(Schema):
    product_id: int
    requested: int
    available: int
    expected_date: datetime.date
    source: str
    complete: bool


class NamedOut(Schema):
    id: int
    name: str


class CategoryOut(NamedOut):
    parent_id: int | None


class UnitOut(NamedOut):
    code: str


class TaxOut(NamedOut):
    code: str
    rate: Decimal
    active: bool


class ConvertOut(Schema):
    amount: Decimal
    currency: str
    to: str
    on: datetime.date
    converted: Decimal


class OptionOut(Schema):
    code: str
    name: str
    price: Decimal
    included: bool
    group: str | None = None
    component_id: int | None

    @staticmethod
    def resolve_group(obj) -> str | None:
        return obj.group.code if obj.group_id else None


class OptionGroupOut(Schema):
    code: str
    name: str
    min_choices: int
    max_choices: int | None


class OptionRuleOut(Schema):
    option: str
    kind: str
    target: str


class ProductOptionsOut(Schema):
    product_id: int
    groups: list[OptionGroupOut]
    options: list[OptionOut]
    rules: list[OptionRuleOut]


class ConfigureIn(Schema):
    options: list[str] = Field(default_factory=list, description="the chosen option codes")


class ChosenOptionOut(Schema):
    code: str
    name: str
    price: Decimal
    included: bool
    reason: str


class ProblemOut(Schema):
    code: str = Field(description="unknown, repeated, requires, excludes, too_few, too_many")
    message: str
    options: list[str]


class ConfigurationOut(Schema):
    product_id: int
    valid: bool
    options: list[ChosenOptionOut]
    problems: list[ProblemOut]
    currency: str
    list_price: Decimal
    options_price: Decimal
    unit_price: Decimal = Field(description="list price plus the charged options, per unit")
