"""The quotes' and orders' API schemas (apart from ``schemas.py``, past 400 lines)."""

import datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field


class QuoteLineIn(Schema):
    product_id: int
    quantity: Decimal = Decimal(1)
    options: list[str] = Field(default_factory=list, max_length=100)
    manual_discount_percent: Decimal = Decimal(0)


class QuoteLinePatch(Schema):
    quantity: Decimal | None = None
    options: list[str] | None = Field(default=None, max_length=100)
    manual_discount_percent: Decimal | None = None


class QuoteIn(Schema):
    customer_id: int
    opportunity_id: int | None = None
    currency: str = Field("", max_length=3)
    price_list: str = Field("", max_length=40)
    coupon: str = Field("", max_length=40)
    channel: str = Field("direct", max_length=10)
    financing_plan_id: int | None = None
    valid_until: datetime.date | None = None
    language: str = Field("", max_length=8)
    lines: list[QuoteLineIn] = Field(default_factory=list, max_length=200)


class QuotePatch(Schema):
    """A quote's terms to change; a field left out stays as it is."""

    currency: str | None = Field(None, max_length=3)
    price_list: str | None = Field(None, max_length=40, description="Empty: the best that applies.")
    coupon: str | None = Field(None, max_length=40, description="Empty: no coupon.")
    financing_plan_id: int | None = Field(None, description="null: no financing plan.")
    valid_until: datetime.date | None = None
    language: str | None = Field(None, max_length=8, description="es or en.")


class QuoteDecisionIn(Schema):
    comment: str = Field("", max_length=2000)


class QuoteSendIn(Schema):
    email: str = Field("", max_length=254, description="Empty: the customer's primary e-mail.")


class StepOut(Schema):
    kind: str
    text: str
    amount: Decimal


class QuoteLineOut(Schema):
    id: int
    position: int
    product_id: int
    sku: str
    name: str
    options: list[str]
    quantity: Decimal
    manual_discount_percent: Decimal
    list_unit_price: Decimal
    unit_price: Decimal
    gross: Decimal
    discount_total: Decimal
    net: Decimal
    tax_name: str
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    price_list: str
    explanation: list[StepOut]


class TaxOut(Schema):
    name: str
    rate: Decimal
    base: Decimal
    tax: Decimal


class QuoteSummaryOut(Schema):
    id: int
    reference: str | None
    customer_id: int
    customer_name: str
    opportunity_id: int | None
    owner_id: int | None
    team_id: int | None
    status: str
    version: int
    previous_id: int | None
    currency: str
    net: Decimal
    tax: Decimal
    total: Decimal
    valid_until: datetime.date
    sent_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_customer_name(obj: Any) -> str:
        return obj.customer.display_name


class LineChangeOut(Schema):
    kind: str = Field(description="changed, same, added or removed")
    name: str
    sku: str
    options: list[str]
    old_unit_price: Decimal | None
    new_unit_price: Decimal | None
    old_net: Decimal | None
    new_net: Decimal | None


class TermChangeOut(Schema):
    term: str
    old: str
    new: str


class VersionChangesOut(Schema):
    previous_id: int
    previous_reference: str
    old_total: Decimal
    new_total: Decimal
    lines: list[LineChangeOut]
    terms: list[TermChangeOut]

    @staticmethod
    def resolve_terms(obj: Any) -> list[dict]:
        return [{"term": t, "old": old, "new": new} for t, old, new in obj.terms]


class QuoteOut(QuoteSummaryOut):
    channel: str
    price_list: str
    coupon: str
    financing_plan_id: int | None
    language: str
    discount_total: Decimal
    taxes: list[TaxOut]
    max_manual_discount: Decimal
    needs_approval: bool
    approved_by_id: int | None
    approval_comment: str
    lines: list[QuoteLineOut]
    changes: VersionChangesOut | None = Field(
        None,
        description="A later version against the previous one: it is priced again "
        "when made, so unit prices and nets may differ.",
    )

    @staticmethod
    def resolve_changes(obj: Any) -> Any:
        from ..selectors.quotes import version_changes

        return version_changes(obj)

    @staticmethod
    def resolve_needs_approval(obj: Any) -> bool:
        from ..services.quote import needs_approval

        return needs_approval(obj)

    @staticmethod
    def resolve_lines(obj: Any) -> list:
        return list(obj.lines.all())


class QuotePageOut(Schema):
    items: list[QuoteSummaryOut]
    next_cursor: str | None


class QuotePanelOut(Schema):
    id: int
    reference: str | None
    status: str
    total: Decimal
    currency: str
    valid_until: datetime.date


class OrderLineIn(Schema):
    product_id: int
    quantity: Decimal = Decimal(1)
    options: list[str] = Field(default_factory=list, max_length=100)


class OrderIn(Schema):
    customer_id: int
    currency: str = Field("", max_length=3)
    coupon: str = Field("", max_length=40)
    price_list: str = Field("", max_length=40)
    lines: list[OrderLineIn] = Field(default_factory=list, max_length=200)


class OrderTransitionIn(Schema):
    to: str = Field(max_length=12, description="confirmed, shipped, delivered or cancelled")


class OrderComponentOut(Schema):
    product_id: int
    units: int
    reserved: int
    backordered: int


class OrderLineOut(Schema):
    id: int
    product_id: int
    sku: str
    name: str
    options: list[str]
    quantity: Decimal
    unit_price: Decimal
    net: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    expected_date: datetime.date | None
    reserved: int = Field(description="units of stock this line holds reserved")
    backordered: int = Field(description="units this line waits for (on backorder)")
    components: list[OrderComponentOut] = Field(
        description="a bundle's components (options that are catalogue products) and the "
        "stock each holds"
    )


class OrderPromotionOut(Schema):
    promotion_id: int
    code: str
    name: str
    coupon_code: str
    returned_at: datetime.datetime | None = Field(
        description="when the order's cancellation gave the use back (null: still used)"
    )

    @staticmethod
    def resolve_code(obj: Any) -> str:
        return obj.promotion.code

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.promotion.name

    @staticmethod
    def resolve_coupon_code(obj: Any) -> str:
        return obj.promotion.coupon_code


class OrderSummaryOut(Schema):
    id: int
    reference: str | None
    customer_id: int
    customer_name: str
    quote_id: int | None
    owner_id: int | None
    team_id: int | None
    status: str
    currency: str
    net: Decimal
    tax: Decimal
    total: Decimal
    expected_delivery: datetime.date | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_customer_name(obj: Any) -> str:
        return obj.customer.display_name


class OrderOut(OrderSummaryOut):
    next_statuses: list[str]
    lines: list[OrderLineOut]
    coupon: str
    backorder: bool = Field(description="confirmed with more than the free stock")
    promotions: list[OrderPromotionOut]

    @staticmethod
    def resolve_promotions(obj: Any) -> list:
        return list(obj.promotions_used.all())

    @staticmethod
    def resolve_next_statuses(obj: Any) -> list[str]:
        return [str(s) for s in obj.next_statuses()]

    @staticmethod
    def resolve_lines(obj: Any) -> list:
        return list(obj.lines.all())


class OrderStockReceiptIn(Schema):
    product_id: int = Field(description="a product the order is missing (on backorder)")
    quantity: int = Field(description="units received, a whole number above 0")
    note: str = Field(
        "", description="optional: the delivery note...", json_schema_extra={"maxLength": 500}
    )


class OrderPageOut(Schema):
    items: list[OrderSummaryOut]
    next_cursor: str | None
