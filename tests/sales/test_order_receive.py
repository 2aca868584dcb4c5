# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""Receiving stock from an order's page (issue 9): a confirmed order on backorder
shows, per product, what it waits for and what is still short; a catalogue manager
receives it there (page or API), the units are reserved for that order at once (a
stock movement naming it), and the order can ship."""

import pytest
from django.urls import reverse

from panorama.catalog.models import Product, StockMovement
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.sales.models import Order
from panorama.sales.services.order import order_create, order_stock_receive, order_transition
from panorama.sales.services.quote import LineData
from tests.sales.quote_world import buyer, manager, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(rep, buyer, world):
    """An order for 8 routers confirmed with 5 on hand: 3 on backorder."""
    order = order_create(
        by=rep,
        customer_id=buyer.pk,
        lines=[LineData(product_id=world["router"].pk, quantity=8)],
    )
    order_transition(by=rep, order_id=order.pk, to="confirmed")
    return Order.objects.get(pk=order.pk)


def test_the_page_shows_what_is_missing_and_a_manager_receives_it_there(
    client, manager, rep, waiting, world
):
    router = world["router"]
    page_url = reverse("sales:order_detail", args=[waiting.pk])
    client.force_login(rep)
    page = client.get(page_url).content.decode()
    assert 'id="order-missing"' in page and "3 units short" in page
    assert "Waiting for 3; 0 free in stock." in page
    assert 'name="quantity"' not in page  # a rep cannot receive

    client.force_login(manager)
    receive_url = reverse("sales:order_receive", args=[waiting.pk])
    refused = client.post(receive_url, {"product_id": router.pk, "quantity": "0"})
    assert refused.status_code == 422 and "above 0" in refused.content.decode()
    done = client.post(
        receive_url, {"product_id": router.pk, "quantity": "3", "note": "DN-9"}, follow=True
    )
    assert "3 units received for order" in done.content.decode()
    assert 'id="order-missing"' not in done.content.decode()
    order = Order.objects.get(pk=waiting.pk)
    assert not order.backorder and order.lines.get().reserved == 8
    product = Product.objects.get(pk=router.pk)
    assert (product.stock_on_hand, product.stock_reserved) == (8, 8)
    receipt = StockMovement.objects.filter(product=router, kind="received").get()
    assert (receipt.order_id, receipt.note) == (order.pk, "DN-9")

    order_transition(by=rep, order_id=order.pk, to="shipped")
    assert Order.objects.get(pk=order.pk).status == "shipped"


def test_a_partial_receipt_keeps_the_rest_on_backorder_and_wrong_products_are_refused(
    manager, rep, waiting, world
):
    router = world["router"]
    order_stock_receive(by=manager, order_id=waiting.pk, product_id=router.pk, quantity=1)
    order = Order.objects.get(pk=waiting.pk)
    assert order.backorder and order.lines.get().backordered == 2
    with pytest.raises(ValidationFailed, match="3 missing|2 missing"):
        order_transition(by=rep, order_id=order.pk, to="shipped")
    other = Product.objects.exclude(pk=router.pk).first()
    with pytest.raises(ValidationFailed) as wrong:
        order_stock_receive(by=manager, order_id=order.pk, product_id=other.pk, quantity=1)
    assert wrong.value.field == "product_id"
    with pytest.raises(PermissionDenied):
        order_stock_receive(by=rep, order_id=order.pk, product_id=router.pk, quantity=2)


def test_the_api_receives_for_an_order(api_as, manager, rep, waiting, world):
    url = f"/orders/{waiting.pk}/stock-receipts"
    router = world["router"]
    assert api_as(rep).post(url, json={"product_id": router.pk, "quantity": 3}).status_code == 403
    bad = api_as(manager).post(url, json={"product_id": router.pk, "quantity": -1})
    assert bad.status_code == 422 and "quantity" in bad.json()["errors"]
    answer = api_as(manager).post(url, json={"product_id": router.pk, "quantity": 3})
    assert answer.status_code == 201, answer.content
    assert answer.json()["backorder"] is False
    again = api_as(manager).post(url, json={"product_id": router.pk, "quantity": 3})
    assert again.status_code == 422 and "not waiting for stock" in str(again.json())
