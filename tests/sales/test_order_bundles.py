# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""A bundle's order lines hold the stock of its components (options that are catalogue
products): one unit of each per unit of the line, reserved when the order is
confirmed, used up when it ships, released when it is cancelled, on backorder past the
free stock, as the line's own product would."""

import pytest
from django.urls import reverse

from panorama.catalog.models import Product
from panorama.catalog.services.options import option_create
from panorama.core.exceptions import ValidationFailed
from panorama.sales.models import Order
from panorama.sales.services.order import order_create, order_transition
from panorama.sales.services.quote import LineData
from tests.catalog.factories import ProductFactory

from .quote_world import buyer, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def kit(world):
    """Kit oficina (untracked): a Router (5 on hand) included, a Switch (2 on hand) as
    an option."""
    kit = ProductFactory(sku="KIT", name="Kit oficina")
    switch = ProductFactory(sku="SW", name="Switch", track_stock=True, stock_on_hand=2)
    option_create(
        by=None, product=kit, code="router", name="Router", included=True, component=world["router"]
    )
    option_create(by=None, product=kit, code="switch", name="Switch", component=switch)
    return {"kit": kit, "switch": switch, "router": world["router"]}


def _stock(product) -> tuple[int, int]:
    product = Product.objects.get(pk=product.pk)
    return product.stock_on_hand, product.stock_reserved


def _order(rep, buyer, kit, quantity, options=("switch",)) -> Order:
    return order_create(
        by=rep,
        customer_id=buyer.pk,
        lines=[LineData(product_id=kit["kit"].pk, quantity=quantity, options=list(options))],
    )


def test_the_components_are_reserved_shipped_and_released(rep, buyer, kit):
    order = _order(rep, buyer, kit, 2)
    line = order.lines.get()
    assert sorted(c["product_id"] for c in line.components) == sorted(
        [kit["router"].pk, kit["switch"].pk]
    )
    order_transition(by=rep, order_id=order.pk, to="confirmed")
    assert (_stock(kit["router"]), _stock(kit["switch"])) == ((5, 2), (2, 2))
    order_transition(by=rep, order_id=order.pk, to="cancelled")
    assert (_stock(kit["router"]), _stock(kit["switch"])) == ((5, 0), (2, 0))

    again = _order(rep, buyer, kit, 1, options=())  # the router only (included)
    order_transition(by=rep, order_id=again.pk, to="confirmed")
    order_transition(by=rep, order_id=again.pk, to="shipped")
    assert (_stock(kit["router"]), _stock(kit["switch"])) == ((4, 0), (2, 0))


def test_a_component_short_is_on_backorder_and_stops_the_shipment(client, rep, buyer, kit):
    order = _order(rep, buyer, kit, 3)
    order_transition(by=rep, order_id=order.pk, to="confirmed")
    assert Order.objects.get(pk=order.pk).backorder
    switch = next(c for c in order.lines.get().components if c["product_id"] == kit["switch"].pk)
    assert (switch["reserved"], switch["backordered"]) == (2, 1)
    with pytest.raises(ValidationFailed) as refused:
        order_transition(by=rep, order_id=order.pk, to="shipped")
    assert "Switch (SW)" in str(refused.value.message)
    assert (_stock(kit["router"]), _stock(kit["switch"])) == ((5, 3), (2, 2))
    client.force_login(rep)
    page = client.get(reverse("sales:order_detail", args=[order.pk])).content.decode()
    assert "Switch: 1 unit on backorder" in page


def test_the_api_shows_the_components_stock(api_as, rep, buyer, kit):
    client = api_as(rep)
    body = {
        "customer_id": buyer.pk,
        "lines": [{"product_id": kit["kit"].pk, "quantity": 1, "options": ["switch"]}],
    }
    order = client.post("/orders", json=body).json()
    confirmed = client.post(f"/orders/{order['id']}/transition", json={"to": "confirmed"})
    parts = {c["product_id"]: c for c in confirmed.json()["lines"][0]["components"]}
    assert parts[kit["switch"].pk] == {
        "product_id": kit["switch"].pk,
        "units": 1,
        "reserved": 1,
        "backordered": 0,
    }
