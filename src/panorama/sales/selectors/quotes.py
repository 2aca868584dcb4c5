"""Reads of quotes and orders, scoped like customers and opportunities: a rep sees his
own and his team's, a manager his teams', other roles all. Out of scope is a 404."""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.pagination import Keyset, Page
from panorama.customers.selectors import scope_filter

from ..models import Order, OrderLine, Quote, QuoteLine

NEWEST_FIRST = Keyset("-id", types=(int,))


def quotes_visible_to(user: User | None) -> QuerySet[Quote]:
    return Quote.objects.all() if user is None else Quote.objects.filter(scope_filter(user))


def orders_visible_to(user: User | None) -> QuerySet[Order]:
    return Order.objects.all() if user is None else Order.objects.filter(scope_filter(user))


def quote_list(
    *,
    user: User,
    customer_id: int | None = None,
    status: str = "",
    cursor: str = "",
    limit: int = 50,
) -> Page:
    """A page of the quotes ``user`` sees, newest first (keyset, no count)."""
    qs = quotes_visible_to(user).select_related("customer", "owner")
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if status:
        if status not in Quote.Status.values:
            raise ValidationFailed(_("Unknown status %(s)s.") % {"s": status}, field="status")
        qs = qs.filter(status=status)
    return NEWEST_FIRST.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))


def quote_get(*, user: User | None, quote_id: int, for_update: bool = False) -> Quote:
    """The quote with its lines if ``user`` sees it (``None``: the system sees all)."""
    qs = quotes_visible_to(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    qs = qs.select_related(
        "customer", "owner", "team", "opportunity", "financing_plan", "approved_by", "previous"
    ).prefetch_related(Prefetch("lines", queryset=QuoteLine.objects.select_related("product")))
    quote = qs.filter(pk=quote_id).first()
    if quote is None:
        raise NotFound(
            _("Quote %(id)s does not exist or is not visible to you.") % {"id": quote_id}
        )
    return quote


def quotes_of(*, user: User, customer_id: int, limit: int = 10) -> list[Quote]:
    """The newest quotes of one customer the user sees (the ficha's panel, one query)."""
    return list(
        quotes_visible_to(user)
        .filter(customer_id=customer_id)
        .select_related("owner")
        .order_by("-id")[:limit]
    )


def order_list(
    *,
    user: User,
    customer_id: int | None = None,
    status: str = "",
    cursor: str = "",
    limit: int = 50,
) -> Page:
    qs = orders_visible_to(user).select_related("customer", "owner", "quote")
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if status:
        if status not in Order.Status.values:
            raise ValidationFailed(_("Unknown status %(s)s.") % {"s": status}, field="status")
        qs = qs.filter(status=status)
    return NEWEST_FIRST.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))


def order_get(*, user: User | None, order_id: int, for_update: bool = False) -> Order:
    qs = orders_visible_to(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    qs = qs.select_related("customer", "owner", "team", "quote").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product"))
    )
    order = qs.filter(pk=order_id).first()
    if order is None:
        raise NotFound(
            _("Order %(id)s does not exist or is not visible to you.") % {"id": order_id}
        )
    return order
