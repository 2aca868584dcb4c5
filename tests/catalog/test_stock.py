"""Availability from the catalogue's stock fields, and the interface an ERP replaces."""

import datetime

import pytest

from panorama.catalog.selectors import Availability, availability, availability_source_set
from panorama.core.exceptions import ValidationFailed

from .factories import ProductFactory

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2026, 12, 7)


def test_free_stock_ships_today_and_the_rest_after_the_lead_time():
    router = ProductFactory(track_stock=True, stock_on_hand=10, stock_reserved=4, lead_time_days=5)

    assert availability(router, 6, MONDAY) == Availability(router.pk, 6, 6, MONDAY, "stock")
    short = availability(router, 8, MONDAY)
    assert (short.available, short.expected_date, short.complete) == (
        6,
        datetime.date(2026, 12, 12),
        False,
    )


def test_an_untracked_item_is_always_available_after_its_lead_time():
    service = ProductFactory(kind="service", track_stock=False, lead_time_days=2)
    found = availability(service, 1000, MONDAY)
    assert (found.available, found.expected_date) == (1000, datetime.date(2026, 12, 9))


def test_more_reserved_than_on_hand_is_nothing_free():
    product = ProductFactory(track_stock=True, stock_on_hand=1, stock_reserved=3, lead_time_days=1)
    assert availability(product, 1, MONDAY).available == 0


def test_a_negative_quantity_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        availability(ProductFactory(), -1, MONDAY)
    assert refused.value.field == "quantity"


def test_an_erp_connector_replaces_the_stock_fields():
    class Erp:
        name = "erp"

        def availability(self, product, quantity, on):
            return Availability(product.pk, quantity, 0, on + datetime.timedelta(days=30), "erp")

    availability_source_set(Erp())
    try:
        found = availability(ProductFactory(track_stock=True, stock_on_hand=99), 1, MONDAY)
    finally:
        availability_source_set(None)
    assert (found.source, found.available) == ("erp", 0)
