# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""Stock follows an order while no ERP is connected: confirming reserves the free stock
of its stock-tracked products (the rest on backorder), shipping uses it up (refused,
naming the product, while units are missing), cancelling releases it. The Router has 5
on hand and 7 days' lead time; the fibre pack is not tracked."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from panorama.catalog.models import Product
from panorama.catalog.selectors import Availability, availability_source_set
from panorama.core.exceptions import ValidationFailed
from panorama.sales.models import Order
from panorama.sales.services.order import order_create, order_transition
from panorama.sales.services.quote import (
    LineData,
    acceptance_token,
    quote_accept,
    quote_create,
    quote_send,
)

from .quote_world import buyer, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _stock(product) -> tuple[int, int]:
    product = Product.objects.get(pk=product.pk)
    return product.stock_on_hand, product.stock_reserved


def _order(rep, buyer, world, routers: int) -> Order:
    return order_create(
        by=rep,
        customer_id=buyer.pk,
        lines=[
            LineData(product_id=world["router"].pk, quantity=routers),
            LineData(product_id=world["pack"].pk, options=["fibra300", "movil_basico"]),
        ],
    )


def test_confirm_reserves_ship_uses_up(rep, buyer, world, emitted):
    router = world["router"]
    order = _order(rep, buyer, world, 3)
    assert _stock(router) == (5, 0)  # a draft reserves nothing
    with emitted() as events:
        order_transition(by=rep, order_id=order.pk, to="confirmed")
    assert _stock(router) == (5, 3)
    line = order.lines.get(product=router)
    assert (line.reserved, line.backordered) == (3, 0)
    assert not Order.objects.get(pk=order.pk).backorder
    moves = [p for name, p in events if name == "product.stock_moved"]
    assert [(m["move"], m["quantity"], m["reserved"]) for m in moves] == [("reserved", 3, 3)]

    order_transition(by=rep, order_id=order.pk, to="shipped")
    assert _stock(router) == (2, 0)
    assert order.lines.get(product=router).reserved == 0


def test_cancelling_releases_the_reservation(rep, buyer, world):
    order = _order(rep, buyer, world, 4)
    order_transition(by=rep, order_id=order.pk, to="confirmed")
    assert _stock(world["router"]) == (5, 4)
    order_transition(by=rep, order_id=order.pk, to="cancelled")
    assert _stock(world["router"]) == (5, 0)
    assert order.lines.get(product=world["router"]).reserved == 0


def test_more_than_the_free_stock_is_on_backorder_and_cannot_ship(rep, buyer, world):
    other = _order(rep, buyer, world, 2)
    order_transition(by=rep, order_id=other.pk, to="confirmed")  # 3 left free
    order = _order(rep, buyer, world, 5)
    order_transition(by=rep, order_id=order.pk, to="confirmed")
    line = order.lines.get(product=world["router"])
    assert (line.reserved, line.backordered) == (3, 2)
    assert Order.objects.get(pk=order.pk).backorder
    assert _stock(world["router"]) == (5, 5)

    with pytest.raises(ValidationFailed) as refused:
        order_transition(by=rep, order_id=order.pk, to="shipped")
    assert refused.value.field == "status"
    assert "Router (RT)" in str(refused.value.message)
    assert "2 missing" in str(refused.value.message)
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    assert _stock(world["router"]) == (5, 5)  # nothing moved

    # The other order is cancelled: its 2 units are free, the backorder can ship.
    order_transition(by=rep, order_id=other.pk, to="cancelled")
    order_transition(by=rep, order_id=order.pk, to="shipped")
    assert _stock(world["router"]) == (0, 0)
    assert not Order.objects.get(pk=order.pk).backorder


def test_an_accepted_quotes_order_reserves_at_once(rep, buyer, world, smtp):
    quote = quote_create(
        by=rep, customer_id=buyer.pk, lines=[LineData(product_id=world["router"].pk, quantity=2)]
    )
    quote_send(by=rep, quote_id=quote.pk)
    quote_accept(token=acceptance_token(quote))
    order = Order.objects.get(quote=quote)
    assert order.status == "confirmed"
    assert _stock(world["router"]) == (5, 2)
    assert {row.promotion.code for row in order.promotions_used.all()} == {"otono"}


def test_an_erp_keeps_the_stock_and_orders_move_nothing(rep, buyer, world):
    class Erp:
        name = "erp"

        def availability(self, product, quantity, on):
            return Availability(product.pk, quantity, quantity, on, "erp")

    availability_source_set(Erp())
    try:
        order = _order(rep, buyer, world, 9)
        order_transition(by=rep, order_id=order.pk, to="confirmed")
        order_transition(by=rep, order_id=order.pk, to="shipped")
    finally:
        availability_source_set(None)
    assert _stock(world["router"]) == (5, 0)
    assert not Order.objects.get(pk=order.pk).backorder


def test_the_api_refuses_a_short_shipment_with_a_422(api_as, rep, buyer, world):
    client = api_as(rep)
    body = {"customer_id": buyer.pk, "lines": [{"product_id": world["router"].pk, "quantity": 7}]}
    order = client.post("/orders", json=body).json()
    confirmed = client.post(f"/orders/{order['id']}/transition", json={"to": "confirmed"})
    assert confirmed.status_code == 200
    data = confirmed.json()
    assert data["backorder"] is True
    assert (data["lines"][0]["reserved"], data["lines"][0]["backordered"]) == (5, 2)
    refused = client.post(f"/orders/{order['id']}/transition", json={"to": "shipped"})
    assert refused.status_code == 422
    assert "Router (RT)" in refused.json()["errors"]["status"][0]
    product = client.get(f"/catalog/products/{world['router'].pk}").json()
    assert (product["stock_on_hand"], product["stock_reserved"], product["stock_available"]) == (
        5,
        5,
        0,
    )


def test_the_order_page_says_why_it_cannot_ship(client, rep, buyer, world):
    order = _order(rep, buyer, world, 6)
    order_transition(by=rep, order_id=order.pk, to="confirmed")
    client.force_login(rep)
    page = client.get(reverse("sales:order_detail", args=[order.pk])).content.decode()
    assert "On backorder" in page and "1 unit on backorder" in page
    refused = client.post(reverse("sales:order_move", args=[order.pk]), {"to": "shipped"})
    assert refused.status_code == 422
    text = refused.content.decode()
    assert 'role="alert" id="order-refused">Not enough stock of Router (RT) to ship' in text
    assert Order.objects.get(pk=order.pk).status == "confirmed"


def test_the_product_page_shows_on_hand_reserved_and_available(client, rep, buyer, world):
    order = _order(rep, buyer, world, 2)
    order_transition(by=rep, order_id=order.pk, to="confirmed")
    client.force_login(rep)
    page = client.get(reverse("catalog:product_detail", args=[world["router"].pk]))
    text = page.content.decode()
    assert 'id="stock-on-hand">5<' in text
    assert 'id="stock-reserved">2<' in text
    assert 'id="stock-available">3<' in text


def test_the_delivery_date_still_comes_from_the_free_stock(rep, buyer, world):
    today = datetime.date.today()
    first = _order(rep, buyer, world, 4)
    order_transition(by=rep, order_id=first.pk, to="confirmed")
    second = _order(rep, buyer, world, 2)  # 1 free: the rest after the 7 days' lead time
    line = second.lines.get(product=world["router"])
    assert line.expected_date >= today + datetime.timedelta(days=6)


def test_the_refusal_in_spanish(rep, buyer, world):
    order = _order(rep, buyer, world, 6)
    order_transition(by=rep, order_id=order.pk, to="confirmed")
    with translation.override("es"), pytest.raises(ValidationFailed) as refused:
        order_transition(by=rep, order_id=order.pk, to="shipped")
    assert str(refused.value.message) == (
        "No hay stock suficiente de Router (RT) para enviar: 0 libres, faltan 1 para este pedido."
    )
