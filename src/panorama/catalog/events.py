"""The events the catalogue emits (see core.events, docs/events.md)."""

from pydantic import Field

from panorama.core.events import Payload, event


@event("product.created")
class ProductCreated(Payload):
    """A product or service was added to the catalogue."""

    product_id: int = Field(description="the new product")
    sku: str = Field(description="its SKU")
    by: int | None = Field(description="the user who created it (null: the system)")


@event("product.updated")
class ProductUpdated(Payload):
    """A product's data changed (price, description, active, tracking...; never its
    stock figures, which move through ``product.stock_moved``)."""

    product_id: int = Field(description="the product")
    fields: list[str] = Field(description="the names of the fields that changed")
    by: int | None = Field(description="the user who changed it (null: the system)")


@event("product.deleted")
class ProductDeleted(Payload):
    """A product nothing used (no quote, order, price list, bundle, holding, service or
    stock history) was deleted, with its own options and opening stock."""

    product_id: int = Field(description="the deleted product's id")
    sku: str = Field(description="its SKU")
    by: int | None = Field(description="the user who deleted it (null: the system)")


@event("product.restored")
class ProductRestored(Payload):
    """A deleted product was put back as it was, under its id (a bulk delete undone)."""

    product_id: int = Field(description="the product")
    sku: str = Field(description="its SKU")
    by: int | None = Field(description="the user who put it back (null: the system)")


@event("product.stock_moved")
class ProductStockMoved(Payload):
    """A product's stock moved (no ERP connected): an order's units reserved (confirmed),
    released (cancelled) or shipped (on hand and reserved both down), units received by
    a catalogue manager (on hand up), a count adjustment (on hand corrected, with its
    reason), or the opening stock of a new product. Each is a ``StockMovement`` row."""

    product_id: int = Field(description="the product")
    move: str = Field(description="reserved, released, shipped, received, adjusted or opening")
    quantity: int = Field(description="how many units moved")
    on_hand: int = Field(description="units on hand after the move")
    reserved: int = Field(description="units reserved after the move")
    by: int | None = Field(description="the user who moved it (null: the system)")
    note: str = Field(
        "", description="the receipt's note or the adjustment's reason (empty for an order's)"
    )
    order_id: int | None = Field(None, description="the order the move is for, if any")


@event("exchange_rate.changed")
class ExchangeRateChanged(Payload):
    """A currency's exchange rate to the company currency was set from a date."""

    currency: str = Field(description="ISO 4217 code, e.g. USD")
    rate: str = Field(description="units of the company currency per unit, as a decimal text")
    valid_from: str = Field(description="first day it applies, YYYY-MM-DD")
    by: int | None = Field(description="the user who set it (null: the system)")


@event("price_list.changed")
class PriceListChanged(Payload):
    """A price list was created, changed or archived, or one of its prices set or removed."""

    price_list_id: int = Field(description="the price list")
    code: str = Field(description="its code")
    by: int | None = Field(description="the user who changed it (null: the system)")


@event("promotion.changed")
class PromotionChanged(Payload):
    """A promotion was created, changed or archived."""

    promotion_id: int = Field(description="the promotion")
    code: str = Field(description="its code")
    by: int | None = Field(description="the user who changed it (null: the system)")


@event("promotion.redeemed")
class PromotionRedeemed(Payload):
    """A promotion (or its coupon) was used by a quote or an order."""

    promotion_id: int = Field(description="the promotion")
    uses: int = Field(description="how many times it has been used, this one included")
    by: int | None = Field(description="the user whose sale used it (null: the system)")


@event("promotion.released")
class PromotionReleased(Payload):
    """A use of a promotion was given back: the order that used it was cancelled."""

    promotion_id: int = Field(description="the promotion")
    uses: int = Field(description="how many times it is used now, that one given back")
    by: int | None = Field(description="the user who cancelled the order (null: the system)")


@event("financing_plan.changed")
class FinancingPlanChanged(Payload):
    """A financing plan was created, changed or archived."""

    plan_id: int = Field(description="the financing plan")
    code: str = Field(description="its code")
    by: int | None = Field(description="the user who changed it (null: the system)")
