"""The catalogue's API for products, the configurator, pricing and the sales terms:
/api/v1/catalog/... (every signed-in user reads; writes need ``catalog.manage``, checked
in the services)."""

import datetime

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from panorama.core.exceptions import ValidationFailed
from panorama.customers.selectors import customer_get

from .. import selectors
from ..models import Product
from ..schemas import (
    AvailabilityOut,
    ConfigurationOut,
    ConfigureIn,
    FinancingPlanFilters,
    FinancingPlanIn,
    FinancingPlanOut,
    FinancingPlanPageOut,
    FinancingPlanPatch,
    PriceIn,
    PriceListFilters,
    PriceListIn,
    PriceListOut,
    PriceListPageOut,
    PriceListPatch,
    PricingOut,
    ProductFilters,
    ProductIn,
    ProductOut,
    ProductPageOut,
    ProductPatch,
    PromotionFilters,
    PromotionIn,
    PromotionOut,
    PromotionPageOut,
    PromotionPatch,
    ScheduleIn,
    ScheduleOut,
    StockAdjustmentIn,
    StockMovementPageOut,
    StockReceiptIn,
)
from ..selectors import terms
from ..selectors.financing import financing_plan_get
from ..services import financing as financing_services
from ..services import price_lists as price_list_services
from ..services import products as product_services
from ..services import promotions as promotion_services
from ..services.configuration import configuration_check
from ..services.financing import financing_schedule
from ..services.pricing import LineIn, price_lines
from ..services.product_delete import product_delete as product_delete_service
from ..services.stock import stock_adjust, stock_receive

router = Router(tags=["catalog"])


@router.get("/catalog/products", response=ProductPageOut)
def product_list(request, filters: Query[ProductFilters]):
    if filters.kind and filters.kind not in Product.Kind.values:
        raise ValidationFailed(_("Unknown kind %(k)s.") % {"k": filters.kind}, field="kind")
    page = selectors.product_list(**filters.dict())
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/catalog/products/{product_id}", response=ProductOut)
def product_get(request, product_id: int):
    return selectors.product_get(product_id=product_id)


@router.post("/catalog/products", response={201: ProductOut})
def product_create(request, payload: ProductIn):
    data = payload.dict()
    if not data["currency"]:
        data.pop("currency")
    product = product_services.product_create(by=request.user, **data)
    return Status(201, selectors.product_get(product_id=product.pk))


@router.patch("/catalog/products/{product_id}", response=ProductOut)
def product_update(request, product_id: int, payload: ProductPatch):
    product = selectors.product_get(product_id=product_id)
    changes = payload.dict(exclude_unset=True)
    # Only the links may be emptied with null; any other field given as null is kept.
    nullable = {"category_id", "unit_id", "tax_id"}
    changes = {k: v for k, v in changes.items() if v is not None or k in nullable}
    product_services.product_update(product=product, by=request.user, changes=changes)
    return selectors.product_get(product_id=product_id)


@router.delete("/catalog/products/{product_id}", response={204: None})
def product_delete(request, product_id: int):
    """Delete a product entered by mistake, with its own options and opening stock
    (``catalog.manage``, else 403). A product in use (quotes, orders, opportunities,
    price lists, promotions, bundles, customer holdings, service records, stock moved)
    is never deleted: 409 naming what uses it; archive it instead (PATCH ``active``)."""
    product = selectors.product_get(product_id=product_id)
    product_delete_service(by=request.user, product=product)
    return Status(204, None)


@router.get("/catalog/products/{product_id}/availability", response=AvailabilityOut)
def product_availability(
    request, product_id: int, quantity: int = 1, on: datetime.date | None = None
):
    product = selectors.product_get(product_id=product_id)
    found = selectors.availability(product, quantity, on)
    return {**vars(found), "complete": found.complete}


@router.post(
    "/catalog/products/{product_id}/stock-receipts",
    response={201: ProductOut},
    summary="Receive stock: add units to a stock-tracked product's stock on hand",
    description="For catalogue managers (`catalog.manage`), while no ERP keeps the stock. "
    "`quantity` above 0 (422 otherwise), an optional `note`; answers the product with its "
    "new stock. Orders on backorder can ship once the free stock covers them.",
)
def product_stock_receive(request, product_id: int, payload: StockReceiptIn):
    stock_receive(
        by=request.user, product_id=product_id, quantity=payload.quantity, note=payload.note
    )
    return Status(201, selectors.product_get(product_id=product_id))


@router.post(
    "/catalog/products/{product_id}/stock-adjustments",
    response={201: ProductOut},
    summary="Adjust stock: correct a product's stock on hand to what a count found",
    description="For catalogue managers (`catalog.manage`), while no ERP keeps the stock. "
    "`counted` is the new stock on hand (0 or more, not below what orders hold reserved), "
    "`reason` is required; recorded as a movement and in the audit log. Answers the "
    "product with its new stock.",
)
def product_stock_adjust(request, product_id: int, payload: StockAdjustmentIn):
    stock_adjust(
        by=request.user, product_id=product_id, counted=payload.counted, reason=payload.reason
    )
    return Status(201, selectors.product_get(product_id=product_id))


@router.get(
    "/catalog/products/{product_id}/stock-movements",
    response=StockMovementPageOut,
    summary="A product's stock movements, newest first (keyset-paged)",
    description="Receipts, adjustments, and the units each order reserved, used or "
    "released. `next_cursor` fetches the next page.",
)
def product_stock_movements(request, product_id: int, cursor: str = "", limit: int = 50):
    selectors.product_get(product_id=product_id)
    page = selectors.stock_movements(product_id=product_id, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/catalog/products/{product_id}/configure",
    response=ConfigurationOut,
    summary="Check a configuration against the product's option rules",
    description="Always 200 for a product that exists: `valid` says whether the options "
    "make a valid configuration and `problems` explains every refusal, each naming the "
    "options concerned. Pricing an invalid configuration is a 422 on `options`.",
)
def product_configure(request, product_id: int, payload: ConfigureIn):
    product = selectors.product_get(product_id=product_id)
    return configuration_out(product, configuration_check(product=product, options=payload.options))


def configuration_out(product: Product, configuration) -> dict:
    return {
        "product_id": product.pk,
        "valid": configuration.valid,
        "options": [vars(o) for o in configuration.options],
        "problems": [vars(p) for p in configuration.problems],
        "currency": product.currency,
        "list_price": product.list_price,
        "options_price": configuration.options_price,
        "unit_price": product.list_price + configuration.options_price,
    }


@router.post(
    "/catalog/price",
    response=PricingOut,
    summary="Price lines: unit price, discounts, net, tax, total and the explanation",
)
def price(request, payload: PriceIn):
    customer = None
    if payload.customer_id is not None:
        customer = customer_get(user=request.user, customer_id=payload.customer_id)
    return price_lines(
        lines=[LineIn(**line.dict()) for line in payload.lines],
        customer=customer,
        on=payload.on,
        channel=payload.channel,
        currency=payload.currency or None,
        coupon=payload.coupon,
        price_list=payload.price_list,
    )


@router.get("/catalog/financing-plans", response=FinancingPlanPageOut)
def financing_plan_list(request, filters: Query[FinancingPlanFilters]):
    page = terms.financing_plan_page(**filters.dict())
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/catalog/financing-plans/{plan_id}", response=FinancingPlanOut)
def financing_plan_get_one(request, plan_id: int):
    return financing_plan_get(plan_id=plan_id)


@router.post("/catalog/financing-plans", response={201: FinancingPlanOut})
def financing_plan_create(request, payload: FinancingPlanIn):
    plan = financing_services.financing_plan_create(by=request.user, **payload.dict())
    return Status(201, plan)


@router.patch("/catalog/financing-plans/{plan_id}", response=FinancingPlanOut)
def financing_plan_update(request, plan_id: int, payload: FinancingPlanPatch):
    plan = financing_plan_get(plan_id=plan_id)
    changes = _changes(payload, nullable={"min_amount", "max_amount"})
    financing_services.financing_plan_update(by=request.user, plan=plan, changes=changes)
    return financing_plan_get(plan_id=plan_id)


@router.post(
    "/catalog/financing-plans/{plan_id}/schedule",
    response=ScheduleOut,
    summary="The schedule of financing an amount (French amortisation)",
)
def financing_plan_schedule(request, plan_id: int, payload: ScheduleIn):
    plan = financing_plan_get(plan_id=plan_id)
    return financing_schedule(
        plan=plan, amount=payload.amount, start=payload.start, currency=payload.currency or None
    )


def _changes(payload, *, nullable: frozenset[str] | set[str] = frozenset()) -> dict:
    """The fields a PATCH names; null empties only the ``nullable`` ones (dates, limits)
    and is ignored elsewhere."""
    changes = payload.dict(exclude_unset=True)
    return {k: v for k, v in changes.items() if v is not None or k in nullable}


_DATES = {"valid_from", "valid_until"}


def _items(items) -> list[price_list_services.ItemData]:
    return [price_list_services.ItemData(**item.dict()) for item in items]


@router.get("/catalog/price-lists", response=PriceListPageOut)
def price_list_list(request, filters: Query[PriceListFilters]):
    page = terms.price_list_page(**filters.dict())
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/catalog/price-lists/{price_list_id}", response=PriceListOut)
def price_list_get(request, price_list_id: int):
    return terms.price_list_get(price_list_id=price_list_id)


@router.post("/catalog/price-lists", response={201: PriceListOut})
def price_list_create(request, payload: PriceListIn):
    data = payload.dict()
    data["items"] = _items(payload.items)
    created = price_list_services.price_list_create(by=request.user, **data)
    return Status(201, terms.price_list_get(price_list_id=created.pk))


@router.patch("/catalog/price-lists/{price_list_id}", response=PriceListOut)
def price_list_update(request, price_list_id: int, payload: PriceListPatch):
    price_list = terms.price_list_get(price_list_id=price_list_id)
    changes = _changes(payload, nullable=_DATES)
    if payload.items is not None:
        changes["items"] = _items(payload.items)
    price_list_services.price_list_update(by=request.user, price_list=price_list, changes=changes)
    return terms.price_list_get(price_list_id=price_list_id)


@router.get("/catalog/promotions", response=PromotionPageOut)
def promotion_list(request, filters: Query[PromotionFilters]):
    page = terms.promotion_page(**filters.dict())
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/catalog/promotions/{promotion_id}", response=PromotionOut)
def promotion_get(request, promotion_id: int):
    return terms.promotion_get(promotion_id=promotion_id)


@router.post("/catalog/promotions", response={201: PromotionOut})
def promotion_create(request, payload: PromotionIn):
    created = promotion_services.promotion_create(by=request.user, **payload.dict())
    return Status(201, terms.promotion_get(promotion_id=created.pk))


@router.patch("/catalog/promotions/{promotion_id}", response=PromotionOut)
def promotion_update(request, promotion_id: int, payload: PromotionPatch):
    promotion = terms.promotion_get(promotion_id=promotion_id)
    changes = _changes(payload, nullable=_DATES | {"max_uses"})
    promotion_services.promotion_update(by=request.user, promotion=promotion, changes=changes)
    return terms.promotion_get(promotion_id=promotion_id)
