"""Availability and delivery dates: from the catalogue's stock fields until an ERP is
connected, then from the ERP, behind one small interface.

An ERP connector (``integrations``) implements ``AvailabilitySource`` and installs it
with ``availability_source_set(source)`` from its ``AppConfig.ready()``; quotes, orders
and the portal keep calling ``availability(product, quantity, on)`` unchanged.
"""

import datetime
from dataclasses import dataclass
from typing import Protocol

from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed
from panorama.core.pagination import Keyset, Page

from ..models import Product, StockMovement


@dataclass(frozen=True)
class Availability:
    product_id: int
    requested: int
    # How many of the requested can leave on ``on`` (all of them for an untracked item).
    available: int
    # The day the whole quantity can be delivered.
    expected_date: datetime.date
    # Where the answer comes from: "stock" (the catalogue's fields) or the connector's name.
    source: str

    @property
    def complete(self) -> bool:
        return self.available >= self.requested


class AvailabilitySource(Protocol):
    name: str

    def availability(self, product: Product, quantity: int, on: datetime.date) -> Availability: ...


class StockFields:
    """The catalogue's own fields: free stock = on hand - reserved; what is missing (or
    anything untracked, such as a service) arrives after the product's lead time."""

    name = "stock"

    def availability(self, product: Product, quantity: int, on: datetime.date) -> Availability:
        lead = datetime.timedelta(days=product.lead_time_days)
        if not product.track_stock:
            return Availability(product.pk, quantity, quantity, on + lead, self.name)
        free = max(product.stock_on_hand - product.stock_reserved, 0)
        if free >= quantity:
            return Availability(product.pk, quantity, quantity, on, self.name)
        return Availability(product.pk, quantity, free, on + lead, self.name)


_source: AvailabilitySource = StockFields()


def availability_source_set(source: AvailabilitySource | None) -> None:
    """Install an ERP connector's source (None: back to the stock fields)."""
    global _source
    _source = source or StockFields()


def stock_kept_here() -> bool:
    """Whether the catalogue's stock fields are the stock (no ERP connector installed):
    only then do orders reserve, use up and release them (``services.stock``)."""
    return isinstance(_source, StockFields)


def availability(product: Product, quantity: int, on: datetime.date | None = None) -> Availability:
    """How many of ``quantity`` are available on ``on`` (today) and when all can arrive."""
    if quantity < 0:
        raise ValidationFailed(_("A quantity cannot be negative."), field="quantity")
    return _source.availability(product, quantity, on or timezone.localdate())


NEWEST_FIRST = Keyset("-id", types=(int,))
MOVEMENTS_PAGE = 20


def stock_movements(*, product_id: int, cursor: str = "", limit: int = MOVEMENTS_PAGE) -> Page:
    """A product's stock movements, newest first, one keyset page (one query, with who
    moved them). Company-wide, like the catalogue: the order a movement names is only
    a reference and a link, which the order's page scopes."""
    qs = StockMovement.objects.filter(product_id=product_id).select_related("by")
    return NEWEST_FIRST.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))
