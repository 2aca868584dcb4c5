"""Reads of quotes and orders, scoped like customers and opportunities: a rep sees his
own and his team's, a manager his teams', other roles all. Out of scope is a 404."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.pagination import Keyset, Page
from panorama.customers.selectors import scope_filter

from ..models import Order, OrderLine, OrderPromotion, Quote, QuoteLine

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
        Prefetch("lines", queryset=OrderLine.objects.select_related("product")),
        Prefetch(
            "promotions_used",
            queryset=OrderPromotion.objects.select_related("promotion").order_by("id"),
        ),
    )
    order = qs.filter(pk=order_id).first()
    if order is None:
        raise NotFound(
            _("Order %(id)s does not exist or is not visible to you.") % {"id": order_id}
        )
    return order


@dataclass(frozen=True)
class LineChange:
    """One line of a version against the previous version's same line (same product
    and options): ``kind`` is ``changed``, ``same``, ``added`` or ``removed``."""

    kind: str
    name: str
    sku: str
    options: tuple[str, ...]
    old_unit_price: Decimal | None
    new_unit_price: Decimal | None
    old_net: Decimal | None
    new_net: Decimal | None


@dataclass(frozen=True)
class VersionChanges:
    previous_id: int
    previous_reference: str
    old_total: Decimal
    new_total: Decimal
    lines: tuple[LineChange, ...]
    terms: tuple[tuple[str, str, str], ...]  # (term, old value, new value)

    @property
    def changed(self) -> bool:
        return (
            self.old_total != self.new_total
            or any(line.kind != "same" for line in self.lines)
            or bool(self.terms)
        )


def version_changes(quote: Quote) -> VersionChanges | None:
    """What a version changed against the one before it (``None`` for a first
    version): each line's unit price and net before and after (a new version is priced
    again today), lines added or removed since, and the price list or coupon dropped.
    One query (the previous version's lines), ``quote`` read by ``quote_get``."""
    previous = quote.previous
    if previous is None:
        return None
    before: dict[tuple, list[QuoteLine]] = {}
    for line in QuoteLine.objects.filter(quote=previous).order_by("position", "id"):
        before.setdefault((line.product_id, tuple(line.options or ())), []).append(line)
    lines = []
    for line in quote.lines.all():
        key = (line.product_id, tuple(line.options or ()))
        match = before.get(key, [])
        old = match.pop(0) if match else None
        same = old is not None and (old.unit_price, old.net, old.quantity) == (
            line.unit_price,
            line.net,
            line.quantity,
        )
        lines.append(
            LineChange(
                kind="added" if old is None else ("same" if same else "changed"),
                name=line.name,
                sku=line.sku,
                options=key[1],
                old_unit_price=old.unit_price if old else None,
                new_unit_price=line.unit_price,
                old_net=old.net if old else None,
                new_net=line.net,
            )
        )
    for rest in before.values():
        for old in rest:
            lines.append(
                LineChange(
                    kind="removed",
                    name=old.name,
                    sku=old.sku,
                    options=tuple(old.options or ()),
                    old_unit_price=old.unit_price,
                    new_unit_price=None,
                    old_net=old.net,
                    new_net=None,
                )
            )
    terms = tuple(
        (name, getattr(previous, name), getattr(quote, name))
        for name in ("price_list", "coupon")
        if getattr(previous, name) != getattr(quote, name)
    )
    return VersionChanges(
        previous_id=previous.pk,
        previous_reference=previous.reference or "",
        old_total=previous.total,
        new_total=quote.total,
        lines=tuple(lines),
        terms=terms,
    )


def with_option_names(lines: list) -> list:
    """Give each quote or order line ``option_names``: its options' names as the
    catalogue has them (a code the catalogue no longer has stays as it is); one query."""
    from panorama.catalog.selectors.options import option_names

    names = option_names({(line.product_id, c) for line in lines for c in line.options or ()})
    for line in lines:
        line.option_names = [names.get((line.product_id, c), c) for c in line.options or ()]
    return lines
