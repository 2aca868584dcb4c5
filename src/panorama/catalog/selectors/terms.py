"""Reads of the sales terms: price lists (with their items), promotions and financing
plans. Company-wide like the rest of the catalogue: every signed-in user reads them all,
archived ones included (history names them)."""

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.pagination import Keyset, Page

from ..models import FinancingPlan, PriceList, PriceListItem, Promotion

BY_NAME = Keyset("name", "id", types=(str, int))
BY_INSTALMENTS = Keyset("instalments", "id", types=(int, int))
VALIDITY = ("current", "upcoming", "expired")


def _validity(qs: QuerySet, validity: str, on: datetime.date | None = None) -> QuerySet:
    """``current``: valid today; ``upcoming``: starts later; ``expired``: ended."""
    if not validity:
        return qs
    if validity not in VALIDITY:
        raise ValidationFailed(
            _("Choose one of: %(v)s.") % {"v": ", ".join(VALIDITY)}, field="validity"
        )
    day = on or timezone.localdate()
    if validity == "upcoming":
        return qs.filter(valid_from__gt=day)
    if validity == "expired":
        return qs.filter(valid_until__lt=day)
    return qs.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day),
        Q(valid_until__isnull=True) | Q(valid_until__gte=day),
    )


def _search(qs: QuerySet, search: str, *fields: str) -> QuerySet:
    search = (search or "").strip()
    if not search:
        return qs
    match = Q()
    for name in fields:
        match |= Q(**{f"{name}__icontains": search})
    return qs.filter(match)


def price_lists(
    *,
    search: str = "",
    active: bool | None = None,
    currency: str = "",
    channel: str = "",
    validity: str = "",
) -> QuerySet[PriceList]:
    """Price lists matching the filters, unordered (a list pages them)."""
    qs = _search(PriceList.objects.all(), search, "name", "code", "segment")
    if active is not None:
        qs = qs.filter(active=active)
    if currency:
        qs = qs.filter(currency=currency.strip().upper())
    if channel:
        qs = qs.filter(channel=channel)
    return _validity(qs, validity)


def price_list_page(*, cursor: str = "", limit: int = 50, **filters) -> Page[PriceList]:
    """One keyset page of price lists by name, their items loaded (two queries)."""
    qs = price_lists(**filters).prefetch_related(_items())
    return BY_NAME.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))


def _items() -> Prefetch:
    return Prefetch(
        "items",
        queryset=PriceListItem.objects.select_related("product").order_by(
            "product__name", "min_quantity", "id"
        ),
    )


def price_list_get(*, price_list_id: int) -> PriceList:
    found = PriceList.objects.filter(pk=price_list_id).prefetch_related(_items()).first()
    if found is None:
        raise NotFound(_("There is no price list %(id)s.") % {"id": price_list_id})
    return found


def price_list_item_get(*, price_list: PriceList, item_id: int) -> PriceListItem:
    item = price_list.items.filter(pk=item_id).select_related("price_list").first()
    if item is None:
        raise NotFound(_("There is no such price in this list."))
    return item


def promotions(
    *,
    search: str = "",
    active: bool | None = None,
    kind: str = "",
    coupon: bool | None = None,
    validity: str = "",
) -> QuerySet[Promotion]:
    """Promotions matching the filters (``coupon``: behind a coupon code or not)."""
    qs = _search(Promotion.objects.all(), search, "name", "code", "coupon_code")
    if active is not None:
        qs = qs.filter(active=active)
    if kind:
        qs = qs.filter(kind=kind)
    if coupon is not None:
        qs = qs.exclude(coupon_code="") if coupon else qs.filter(coupon_code="")
    return _validity(qs, validity)


def _linked(qs: QuerySet) -> QuerySet:
    return qs.prefetch_related("products", "categories")


def promotion_page(*, cursor: str = "", limit: int = 50, **filters) -> Page[Promotion]:
    """One keyset page of promotions by name, with their products and categories."""
    qs = _linked(promotions(**filters))
    return BY_NAME.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))


def promotion_get(*, promotion_id: int) -> Promotion:
    found = _linked(Promotion.objects.filter(pk=promotion_id)).first()
    if found is None:
        raise NotFound(_("There is no promotion %(id)s.") % {"id": promotion_id})
    return found


def financing_plan_list(*, search: str = "", active: bool | None = None) -> QuerySet:
    qs = _search(FinancingPlan.objects.all(), search, "name", "code")
    return qs if active is None else qs.filter(active=active)


def financing_plan_page(*, cursor: str = "", limit: int = 50, **filters) -> Page[FinancingPlan]:
    """One keyset page of plans, shortest first."""
    qs = financing_plan_list(**filters)
    return BY_INSTALMENTS.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))
