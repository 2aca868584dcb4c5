"""Everything the pricing of some lines needs, read in a bounded number of queries
whatever the number of lines: products (1), their options (3), exchange rates (1),
price-list items (1, or 2 with a chosen list), promotions (3), holdings (0 or 1)."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from panorama.customers.models import Customer, Holding

from ..models import PriceList, PriceListItem, Product, Promotion
from ..segments import customer_segments
from .money import RateBook
from .options import OptionModel, option_models


@dataclass
class PricingData:
    products: dict[int, Product]
    options: dict[int, OptionModel]
    rates: RateBook
    items: dict[int, list[PriceListItem]]  # by product; item.price_list is loaded
    chosen_list: PriceList | None
    promotions: list[Promotion]  # automatic ones valid that day, for the channel
    coupon: Promotion | None
    promotion_products: dict[int, set[int]] = field(default_factory=dict)
    promotion_categories: dict[int, set[int]] = field(default_factory=dict)
    segments: frozenset[str] = frozenset()
    holdings: frozenset[str] = frozenset()


def _valid_on(on: datetime.date, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": on})) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": on})
    )


def pricing_data(
    *,
    product_ids: Iterable[int],
    currency: str,
    on: datetime.date,
    channel: str,
    customer: Customer | None,
    coupon: str = "",
    price_list: str = "",
) -> PricingData:
    ids = set(product_ids)
    products = {
        p.pk: p for p in Product.objects.filter(pk__in=ids).select_related("tax", "category")
    }
    currencies = {currency} | {p.currency for p in products.values()}
    segments = customer_segments(customer)
    chosen = PriceList.objects.filter(code=price_list).first() if price_list else None
    items_qs = PriceListItem.objects.filter(product_id__in=ids).select_related("price_list")
    if chosen is not None:
        items_qs = items_qs.filter(price_list=chosen)
    else:
        items_qs = items_qs.filter(
            _valid_on(on, "price_list__"),
            Q(price_list__segment="") | Q(price_list__segment__in=segments),
            Q(price_list__channel="") | Q(price_list__channel=channel),
            price_list__active=True,
            price_list__currency=currency,
        )
    items: dict[int, list[PriceListItem]] = defaultdict(list)
    for item in items_qs.order_by("product_id", "-min_quantity", "price_list_id"):
        items[item.product_id].append(item)
    wanted = Q(coupon_code="", active=True) & _valid_on(on) & (Q(channel="") | Q(channel=channel))
    if coupon:
        wanted |= Q(coupon_code__iexact=coupon)
    promotions = list(Promotion.objects.filter(wanted).order_by("name", "id"))
    found = next(
        (p for p in promotions if p.coupon_code and p.coupon_code.upper() == coupon.upper()), None
    )
    promotions = [p for p in promotions if not p.coupon_code]
    data = PricingData(
        products=products,
        options=option_models(ids),
        rates=RateBook.load(currencies | {p.currency for p in promotions + [found] if p}, on),
        items=items,
        chosen_list=chosen,
        promotions=promotions,
        coupon=found,
        segments=segments,
    )
    every = promotions + ([found] if found else [])
    if every:
        links = Promotion.products.through.objects.filter(promotion_id__in=[p.pk for p in every])
        for promotion_id, product_id in links.values_list("promotion_id", "product_id"):
            data.promotion_products.setdefault(promotion_id, set()).add(product_id)
        links2 = Promotion.categories.through.objects.filter(promotion_id__in=[p.pk for p in every])
        for promotion_id, category_id in links2.values_list("promotion_id", "category_id"):
            data.promotion_categories.setdefault(promotion_id, set()).add(category_id)
    held = {code for p in every for code in p.holding_codes}
    if customer is not None and held:
        data.holdings = frozenset(
            Holding.objects.filter(
                Q(end_date__isnull=True) | Q(end_date__gte=on),
                customer=customer,
                status=Holding.Status.ACTIVE,
                product_code__in=held,
            ).values_list("product_code", flat=True)
        )
    return data
