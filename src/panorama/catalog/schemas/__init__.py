"""API shapes of the catalogue: explicit In/Out, never all model fields."""

import datetime
from decimal import Decimal

from ninja import Field, Schema

from panorama.core.validation import text_field

from ..models import FinancingPlan, PriceList, Product, Promotion
from .stock import StockAdjustmentIn, StockMovementOut, StockMovementPageOut, StockReceiptIn

__all__ = ["StockAdjustmentIn", "StockMovementOut", "StockMovementPageOut", "StockReceiptIn"]


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
    stock_available: int = Field(description="on hand less reserved (never below 0)")
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
    stock_on_hand: int = Field(
        0,
        description="the opening stock on hand (with track_stock); afterwards it moves only "
        "through stock receipts and adjustments",
    )
    stock_reserved: int | None = Field(
        None,
        description="read-only: what confirmed orders hold; any value other than 0 is a 422",
    )
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
    stock_on_hand: int | None = Field(
        None,
        description="read-only here: a value other than the current one is a 422 (use "
        "stock-receipts and stock-adjustments)",
    )
    stock_reserved: int | None = Field(
        None,
        description="read-only: what confirmed orders hold; a value other than the current "
        "one is a 422",
    )
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


class PriceLineIn(Schema):
    product_id: int
    quantity: Decimal = Decimal(1)
    options: list[str] = Field(default_factory=list, description="chosen option codes")
    manual_discount_percent: Decimal = Field(Decimal(0), description="0 to 100")


class PriceIn(Schema):
    lines: list[PriceLineIn] = Field(..., max_length=500)
    customer_id: int | None = Field(None, description="the buyer (segments, holdings)")
    on: datetime.date | None = Field(None, description="the pricing day; empty: today")
    channel: str = Field("direct", description="direct, branch, phone, web, portal, partner")
    currency: str = Field("", description="ISO 4217; empty: the company currency")
    coupon: str = ""
    price_list: str = Field("", description="a price list code to use instead of the best")


class StepOut(Schema):
    kind: str
    text: str
    amount: Decimal


class DiscountOut(Schema):
    kind: str
    label: str
    amount: Decimal
    promotion_id: int | None


class PricedLineOut(Schema):
    product_id: int
    sku: str
    name: str
    quantity: Decimal
    options: list[str]
    currency: str
    list_unit_price: Decimal
    unit_price: Decimal
    gross: Decimal
    discounts: list[DiscountOut]
    discount_total: Decimal
    net: Decimal
    tax_name: str
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    price_list: str | None
    explanation: list[StepOut]


class TaxTotalOut(Schema):
    name: str
    rate: Decimal
    base: Decimal
    tax: Decimal


class PricingOut(Schema):
    currency: str
    on: datetime.date
    channel: str
    customer_id: int | None
    coupon: str
    lines: list[PricedLineOut]
    net: Decimal
    tax: Decimal
    total: Decimal
    discount_total: Decimal
    taxes: list[TaxTotalOut]


class FinancingPlanOut(Schema):
    id: int
    code: str
    name: str
    instalments: int
    annual_rate: Decimal
    opening_fee_percent: Decimal
    min_amount: Decimal | None
    max_amount: Decimal | None
    active: bool = True


class FinancingPlanPageOut(Schema):
    items: list[FinancingPlanOut]
    next_cursor: str | None


class FinancingPlanFilters(Schema):
    search: str = ""
    active: bool | None = None
    cursor: str = ""
    limit: int = Field(50, ge=1, le=200)


class FinancingPlanIn(Schema):
    code: str = text_field(FinancingPlan, "code")
    name: str = text_field(FinancingPlan, "name")
    instalments: int
    annual_rate: Decimal = Field(description="TIN, % a year")
    opening_fee_percent: Decimal = Decimal(0)
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    active: bool = True


class FinancingPlanPatch(Schema):
    name: str | None = text_field(FinancingPlan, "name", None)
    instalments: int | None = None
    annual_rate: Decimal | None = None
    opening_fee_percent: Decimal | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    active: bool | None = None


# --- price lists and promotions -------------------------------------------------------


class PriceListItemOut(Schema):
    id: int
    product_id: int
    product_name: str = ""
    min_quantity: Decimal
    price: Decimal | None
    discount_percent: Decimal | None

    @staticmethod
    def resolve_product_name(obj) -> str:
        return obj.product.name


class PriceListItemIn(Schema):
    product_id: int
    min_quantity: Decimal = Decimal(1)
    price: Decimal | None = Field(None, description="a fixed unit price in the list's currency")
    discount_percent: Decimal | None = Field(None, description="or a discount off the list price")


class PriceListOut(Schema):
    id: int
    code: str
    name: str
    currency: str
    segment: str
    channel: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    active: bool
    items: list[PriceListItemOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())


class PriceListPageOut(Schema):
    items: list[PriceListOut]
    next_cursor: str | None


class PriceListFilters(Schema):
    search: str = ""
    active: bool | None = None
    currency: str = ""
    channel: str = ""
    validity: str = Field("", description="current, upcoming or expired")
    cursor: str = ""
    limit: int = Field(50, ge=1, le=200)


class PriceListIn(Schema):
    code: str = text_field(PriceList, "code")
    name: str = text_field(PriceList, "name")
    currency: str = Field("", description="ISO 4217; empty: the company currency")
    segment: str = text_field(PriceList, "segment", "")
    channel: str = Field("", description="empty: any channel")
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    active: bool = True
    items: list[PriceListItemIn] = []


class PriceListPatch(Schema):
    name: str | None = text_field(PriceList, "name", None)
    currency: str | None = None
    segment: str | None = text_field(PriceList, "segment", None)
    channel: str | None = None
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    active: bool | None = None
    items: list[PriceListItemIn] | None = Field(None, description="replaces every item")


class PromotionOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    value: Decimal
    currency: str
    buy_quantity: int
    free_quantity: int
    coupon_code: str
    channel: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    max_uses: int | None
    uses: int
    segments: list[str]
    holding_codes: list[str]
    product_ids: list[int] = []
    category_ids: list[int] = []
    active: bool

    @staticmethod
    def resolve_product_ids(obj) -> list[int]:
        return [p.pk for p in obj.products.all()]

    @staticmethod
    def resolve_category_ids(obj) -> list[int]:
        return [c.pk for c in obj.categories.all()]


class PromotionPageOut(Schema):
    items: list[PromotionOut]
    next_cursor: str | None


class PromotionFilters(Schema):
    search: str = ""
    active: bool | None = None
    kind: str = ""
    coupon: bool | None = Field(None, description="behind a coupon code or not")
    validity: str = Field("", description="current, upcoming or expired")
    cursor: str = ""
    limit: int = Field(50, ge=1, le=200)


class PromotionIn(Schema):
    code: str = text_field(Promotion, "code")
    name: str = text_field(Promotion, "name")
    kind: str = Field(description="percent, amount or buy_x_get_y")
    value: Decimal = Decimal(0)
    currency: str = Field("", description="ISO 4217; empty: the company currency")
    buy_quantity: int = 0
    free_quantity: int = 0
    coupon_code: str = text_field(Promotion, "coupon_code", "")
    channel: str = ""
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    max_uses: int | None = None
    segments: list[str] = []
    holding_codes: list[str] = []
    product_ids: list[int] = []
    category_ids: list[int] = []
    active: bool = True


class PromotionPatch(Schema):
    name: str | None = text_field(Promotion, "name", None)
    kind: str | None = None
    value: Decimal | None = None
    currency: str | None = None
    buy_quantity: int | None = None
    free_quantity: int | None = None
    coupon_code: str | None = text_field(Promotion, "coupon_code", None)
    channel: str | None = None
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    max_uses: int | None = None
    segments: list[str] | None = None
    holding_codes: list[str] | None = None
    product_ids: list[int] | None = None
    category_ids: list[int] | None = None
    active: bool | None = None


class ScheduleIn(Schema):
    amount: Decimal
    start: datetime.date | None = Field(None, description="first instalment a month later")
    currency: str = ""


class ScheduleRowOut(Schema):
    number: int
    date: datetime.date
    instalment: Decimal
    interest: Decimal
    principal: Decimal
    remaining: Decimal


class ScheduleOut(Schema):
    plan_code: str
    plan_name: str
    amount: Decimal
    currency: str
    instalments: int
    annual_rate: Decimal
    instalment: Decimal
    opening_fee: Decimal
    total_interest: Decimal
    total_paid: Decimal
    apr: Decimal
    rows: list[ScheduleRowOut]
