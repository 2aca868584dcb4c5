"""The catalogue's API: /api/v1/catalog/... (every signed-in user reads; writes need
``catalog.manage``, checked in the services)."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from panorama.core.exceptions import ValidationFailed
from panorama.customers.selectors import customer_get

from . import selectors
from .models import Product
from .schemas import (
    AvailabilityOut,
    CategoryOut,
    ConfigurationOut,
    ConfigureIn,
    ConvertOut,
    FinancingPlanOut,
    PriceIn,
    PricingOut,
    ProductFilters,
    ProductIn,
    ProductOptionsOut,
    ProductOut,
    ProductPageOut,
    ProductPatch,
    ScheduleIn,
    ScheduleOut,
    TaxOut,
    UnitOut,
)
from .selectors.financing import financing_plan_get, financing_plans
from .selectors.options import option_model
from .services import products as product_services
from .services.configuration import configuration_check
from .services.financing import financing_schedule
from .services.pricing import LineIn, price_lines

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


@router.get("/catalog/products/{product_id}/availability", response=AvailabilityOut)
def product_availability(
    request, product_id: int, quantity: int = 1, on: datetime.date | None = None
):
    product = selectors.product_get(product_id=product_id)
    found = selectors.availability(product, quantity, on)
    return {**vars(found), "complete": found.complete}


@router.get("/catalog/categories", response=list[CategoryOut])
def category_list(request):
    return selectors.categories()


@router.get("/catalog/units", response=list[UnitOut])
def unit_list(request):
    return selectors.units()


@router.get("/catalog/taxes", response=list[TaxOut])
def tax_list(request):
    return selectors.taxes()


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


@router.get("/catalog/products/{product_id}/options", response=ProductOptionsOut)
def product_options(request, product_id: int):
    product = selectors.product_get(product_id=product_id)
    model = option_model(product.pk)
    by_id = model.by_id()
    return {
        "product_id": product.pk,
        "groups": model.groups,
        "options": list(model.options.values()),
        "rules": [
            {"option": by_id[r.option_id].code, "kind": r.kind, "target": by_id[r.target_id].code}
            for r in model.rules
        ],
    }


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


@router.get("/catalog/financing-plans", response=list[FinancingPlanOut])
def financing_plan_list(request):
    return financing_plans()


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
