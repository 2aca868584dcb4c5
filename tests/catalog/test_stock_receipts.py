# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""Receiving stock (issues 9 and 10): a catalogue manager adds the units delivered to a
stock-tracked product's stock on hand, from its page or the API, with an optional
note; the move is an event; an order on backorder, refused for lack of stock, ships
once the goods are in. Reps may not receive; a quantity that is not above 0 is a 422."""

import pytest
from django.urls import reverse

from panorama.catalog.models import Product
from panorama.catalog.selectors import Availability, availability_source_set
from panorama.catalog.services.stock import stock_receive
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.sales.models import Order
from panorama.sales.services.order import order_create, order_transition
from panorama.sales.services.quote import LineData
from tests.sales.quote_world import buyer, world  # noqa: F401 (fixtures)

from .factories import ProductFactory

pytestmark = pytest.mark.django_db


def _stock(product) -> tuple[int, int, int]:
    product = Product.objects.get(pk=product.pk)
    return product.stock_on_hand, product.stock_reserved, product.stock_available


@pytest.fixture
def boxes(db):
    return ProductFactory(
        name="Boxes", sku="BX", track_stock=True, stock_on_hand=2, stock_reserved=1
    )


def test_a_manager_receives_stock_and_the_move_is_an_event(manager, boxes, emitted):
    with emitted() as events:
        product = stock_receive(by=manager, product_id=boxes.pk, quantity=5, note=" DN-118 ")
    assert (product.stock_on_hand, product.stock_available) == (7, 6)
    assert _stock(boxes) == (7, 1, 6)
    assert events == [
        (
            "product.stock_moved",
            {
                "product_id": boxes.pk,
                "move": "received",
                "quantity": 5,
                "on_hand": 7,
                "reserved": 1,
                "by": manager.pk,
                "note": "DN-118",
                "order_id": None,
            },
        )
    ]


@pytest.mark.parametrize("quantity", [0, -3, 1_000_001])
def test_a_quantity_not_above_zero_is_refused(manager, boxes, quantity):
    with pytest.raises(ValidationFailed) as refused:
        stock_receive(by=manager, product_id=boxes.pk, quantity=quantity)
    assert refused.value.field == "quantity" and "above 0" in str(refused.value.message)
    assert _stock(boxes) == (2, 1, 1)


def test_a_rep_may_not_receive_nor_an_untracked_product_nor_with_an_erp(manager, rep, boxes):
    with pytest.raises(PermissionDenied):
        stock_receive(by=rep, product_id=boxes.pk, quantity=5)
    with pytest.raises(ValidationFailed, match="does not track stock"):
        stock_receive(by=manager, product_id=ProductFactory(track_stock=False).pk, quantity=1)
    with pytest.raises(ValidationFailed) as long_note:
        stock_receive(by=manager, product_id=boxes.pk, quantity=1, note="x" * 501)
    assert long_note.value.field == "note"
    full = ProductFactory(track_stock=True, stock_on_hand=2_147_483_000)
    with pytest.raises(ValidationFailed, match="cannot hold more than"):
        stock_receive(by=manager, product_id=full.pk, quantity=1000)

    class Erp:
        name = "erp"

        def availability(self, product, quantity, on):
            return Availability(product.pk, quantity, quantity, on, "erp")

    availability_source_set(Erp())
    try:
        with pytest.raises(ValidationFailed, match="ERP keeps the stock"):
            stock_receive(by=manager, product_id=boxes.pk, quantity=1)
    finally:
        availability_source_set(None)
    assert _stock(boxes) == (2, 1, 1)


def test_an_order_refused_for_lack_of_stock_ships_after_a_receipt(manager, rep, buyer, world):
    router = world["router"]  # 5 on hand
    order = order_create(
        by=rep,
        customer_id=buyer.pk,
        lines=[LineData(product_id=router.pk, quantity=8)],
    )
    order_transition(by=rep, order_id=order.pk, to="confirmed")
    assert Order.objects.get(pk=order.pk).backorder
    with pytest.raises(ValidationFailed, match="3 missing"):
        order_transition(by=rep, order_id=order.pk, to="shipped")

    stock_receive(by=manager, product_id=router.pk, quantity=3, note="Supplier delivery")
    assert _stock(router) == (8, 5, 3)
    order_transition(by=rep, order_id=order.pk, to="shipped")
    shipped = Order.objects.get(pk=order.pk)
    assert shipped.status == "shipped" and not shipped.backorder
    assert _stock(router) == (0, 0, 0)


def test_the_api_receives_stock_and_answers_4xx(api_as, manager, rep, boxes):
    url = f"/catalog/products/{boxes.pk}/stock-receipts"
    answer = api_as(manager).post(url, json={"quantity": 4, "note": "DN-7"})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["id"], body["stock_on_hand"], body["stock_available"]) == (boxes.pk, 6, 5)

    zero = api_as(manager).post(url, json={"quantity": 0})
    assert zero.status_code == 422 and "above 0" in zero.json()["errors"]["quantity"][0]
    assert api_as(manager).post(url, json={"quantity": "many"}).status_code == 422
    assert api_as(manager).post(url, json={}).status_code == 422
    assert api_as(rep).post(url, json={"quantity": 4}).status_code == 403
    huge = api_as(manager).post(url, json={"quantity": 2**70})
    assert huge.status_code == 422
    missing = api_as(manager).post("/catalog/products/999999/stock-receipts", json={"quantity": 1})
    assert missing.status_code == 404
    assert _stock(boxes) == (6, 1, 5)


def test_the_product_page_receives_stock_for_a_manager_only(client, manager, rep, boxes):
    page_url = reverse("catalog:product_detail", args=[boxes.pk])
    post_url = reverse("catalog:product_stock_receive", args=[boxes.pk])
    client.force_login(manager)
    page = client.get(page_url).content.decode()
    assert 'id="stock-receipt"' in page and "Receive stock" in page

    refused = client.post(post_url, {"quantity": "0", "note": ""})
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "Enter how many units were received: a whole number above 0" in text
    assert 'aria-invalid="true"' in text
    assert _stock(boxes) == (2, 1, 1)

    answer = client.post(post_url, {"quantity": "10", "note": "Pallet 3"}, follow=True)
    assert answer.redirect_chain == [(page_url, 302)]
    text = answer.content.decode()
    assert "10 units received: 12 on hand." in text
    assert 'id="stock-on-hand">12<' in text and 'id="stock-available">11<' in text

    # A stale page: the product no longer tracks stock; the refusal is shown, not lost.
    Product.objects.filter(pk=boxes.pk).update(track_stock=False)
    stale = client.post(post_url, {"quantity": "1"})
    assert stale.status_code == 422 and "does not track stock" in stale.content.decode()
    Product.objects.filter(pk=boxes.pk).update(track_stock=True)

    client.force_login(rep)
    assert 'id="stock-receipt"' not in client.get(page_url).content.decode()
    assert client.post(post_url, {"quantity": "5"}).status_code == 403
    assert _stock(boxes) == (12, 1, 11)


def test_the_form_speaks_spanish(client, manager, boxes):
    client.force_login(manager)
    page = client.get(
        reverse("catalog:product_detail", args=[boxes.pk]), headers={"Accept-Language": "es"}
    ).content.decode()
    assert "Recibir stock" in page and "Unidades recibidas" in page
