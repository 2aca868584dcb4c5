# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""Stock integrity (issue 9): reserved stock is what the orders hold and on hand moves
only through receipts, count adjustments and orders, each a recorded movement that
the product's page and the API list, newest first, keyset-paged, with the order it
was for. Nothing else sets them: the product's API and form refuse or lack them."""

import re

import pytest
from django.urls import reverse

from panorama.catalog.models import Product, StockMovement
from panorama.catalog.services.products import product_create, product_update
from panorama.catalog.services.stock import stock_adjust, stock_receive
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.core.models import AuditEvent
from panorama.sales.services.order import order_create, order_transition
from panorama.sales.services.quote import LineData
from tests.sales.quote_world import buyer, world  # noqa: F401 (fixtures)

from .factories import ProductFactory

pytestmark = pytest.mark.django_db


def _stock(product) -> tuple[int, int]:
    product = Product.objects.get(pk=product.pk)
    return product.stock_on_hand, product.stock_reserved


@pytest.fixture
def boxes(db):
    return ProductFactory(name="Boxes", sku="BX", track_stock=True, stock_on_hand=10)


def test_the_api_refuses_to_set_reserved_or_on_hand_by_hand(api_as, manager, boxes):
    url = f"/catalog/products/{boxes.pk}"
    reserved = api_as(manager).patch(url, json={"stock_reserved": 3})
    assert reserved.status_code == 422
    assert "follows their reservations" in reserved.json()["errors"]["stock_reserved"][0]
    on_hand = api_as(manager).patch(url, json={"stock_on_hand": 50, "name": "Big boxes"})
    assert on_hand.status_code == 422
    assert "receipts and count adjustments" in on_hand.json()["errors"]["stock_on_hand"][0]
    assert _stock(boxes) == (10, 0)
    assert Product.objects.get(pk=boxes.pk).name == "Boxes"  # nothing half-written
    # Sending back the figures as they are is no change, and the rest is saved.
    same = api_as(manager).patch(
        url, json={"stock_on_hand": 10, "stock_reserved": 0, "name": "Big boxes"}
    )
    assert same.status_code == 200 and same.json()["name"] == "Big boxes"
    created = api_as(manager).post(
        "/catalog/products",
        json={"sku": "NEW", "name": "New", "list_price": "1", "stock_reserved": 2},
    )
    assert created.status_code == 422 and "stock_reserved" in created.json()["errors"]


def test_a_new_product_s_opening_stock_is_its_first_movement(manager):
    product = product_create(
        by=manager, sku="OP", name="Opening", list_price=1, track_stock=True, stock_on_hand=7
    )
    [opening] = StockMovement.objects.filter(product=product)
    assert (opening.kind, opening.on_hand_change, opening.on_hand_after) == ("opening", 7, 7)
    with pytest.raises(ValidationFailed) as untracked:
        product_create(by=manager, sku="U", name="U", list_price=1, stock_on_hand=3)
    assert untracked.value.field == "stock_on_hand"
    with pytest.raises(ValidationFailed):
        product_update(product=product, by=manager, changes={"stock_reserved": 1})


def test_a_count_adjustment_corrects_on_hand_with_a_reason_and_is_audited(
    manager, rep, boxes, emitted
):
    with emitted() as events:
        movement = stock_adjust(by=manager, product_id=boxes.pk, counted=8, reason=" Broken ")
    assert _stock(boxes) == (8, 0)
    assert (movement.kind, movement.on_hand_change, movement.note) == ("adjusted", -2, "Broken")
    assert events[0][0] == "product.stock_moved" and events[0][1]["move"] == "adjusted"
    audit = AuditEvent.objects.get(kind="stock_adjusted")
    assert audit.user == manager
    assert audit.detail["reason"] == "Broken" and audit.detail["on_hand_before"] == 10

    with pytest.raises(ValidationFailed) as no_reason:
        stock_adjust(by=manager, product_id=boxes.pk, counted=9, reason="  ")
    assert no_reason.value.field == "reason"
    with pytest.raises(ValidationFailed, match="nothing to correct"):
        stock_adjust(by=manager, product_id=boxes.pk, counted=8, reason="Recount")
    with pytest.raises(ValidationFailed) as negative:
        stock_adjust(by=manager, product_id=boxes.pk, counted=-1, reason="Recount")
    assert negative.value.field == "counted"
    with pytest.raises(PermissionDenied):
        stock_adjust(by=rep, product_id=boxes.pk, counted=9, reason="Recount")
    assert _stock(boxes) == (8, 0)


def test_orders_movements_name_the_order_and_a_count_cannot_go_below_reserved(
    manager, rep, buyer, world
):
    router = world["router"]  # 5 on hand
    order = order_create(
        by=rep, customer_id=buyer.pk, lines=[LineData(product_id=router.pk, quantity=3)]
    )
    order_transition(by=rep, order_id=order.pk, to="confirmed")
    with pytest.raises(ValidationFailed, match="hold 3 units"):
        stock_adjust(by=manager, product_id=router.pk, counted=2, reason="Theft")
    order_transition(by=rep, order_id=order.pk, to="cancelled")
    moves = list(
        StockMovement.objects.filter(product=router).values_list(
            "kind", "reserved_change", "order_reference"
        )
    )
    order.refresh_from_db()
    assert moves[:2] == [("released", -3, order.reference), ("reserved", 3, order.reference)]
    assert _stock(router) == (5, 0)
    # Reserved is the sum of the orders' movements.
    rows = StockMovement.objects.filter(product=router)
    assert sum(m.reserved_change for m in rows) == 0


def test_the_api_lists_the_movements_newest_first_keyset_paged(api_as, manager, rep, boxes):
    for n in range(1, 4):
        stock_receive(by=manager, product_id=boxes.pk, quantity=n, note=f"DN-{n}")
    url = f"/catalog/products/{boxes.pk}/stock-movements"
    first = api_as(rep).get(f"{url}?limit=2").json()
    assert [m["note"] for m in first["items"]] == ["DN-3", "DN-2"]
    assert first["items"][0]["kind"] == "received" and first["items"][0]["on_hand_after"] == 16
    rest = api_as(rep).get(f"{url}?limit=2&cursor={first['next_cursor']}").json()
    assert [m["note"] for m in rest["items"]] == ["DN-1"] and rest["next_cursor"] is None
    assert api_as(rep).get(f"{url}?cursor=junk").status_code == 422
    assert api_as(rep).get("/catalog/products/999999/stock-movements").status_code == 404

    adjusted = api_as(manager).post(
        f"/catalog/products/{boxes.pk}/stock-adjustments", json={"counted": 4, "reason": "Count"}
    )
    assert adjusted.status_code == 201 and adjusted.json()["stock_on_hand"] == 4
    no_reason = api_as(manager).post(
        f"/catalog/products/{boxes.pk}/stock-adjustments", json={"counted": 5, "reason": ""}
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    assert (
        api_as(rep)
        .post(f"/catalog/products/{boxes.pk}/stock-adjustments", json={"counted": 5, "reason": "x"})
        .status_code
        == 403
    )


def test_the_product_page_shows_the_movements_with_links_and_adjusts(
    client, manager, rep, buyer, world, django_assert_max_num_queries
):
    router = world["router"]
    order = order_create(
        by=rep, customer_id=buyer.pk, lines=[LineData(product_id=router.pk, quantity=2)]
    )
    order_transition(by=rep, order_id=order.pk, to="confirmed")
    order.refresh_from_db()
    page_url = reverse("catalog:product_detail", args=[router.pk])
    client.force_login(manager)
    page = client.get(page_url).content.decode()
    assert "Stock movements" in page and "Reserved by an order" in page
    # Each card once (a merge had drawn the product and availability cards twice).
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert page.count(">Availability<") == 1
    assert f'href="{reverse("sales:order_detail", args=[order.pk])}">{order.reference}<' in page
    edit = client.get(reverse("catalog:product_edit", args=[router.pk])).content.decode()
    assert 'name="stock_reserved"' not in edit and 'name="stock_on_hand"' not in edit

    adjust_url = reverse("catalog:product_stock_adjust", args=[router.pk])
    refused = client.post(adjust_url, {"counted": "9", "reason": ""})
    assert refused.status_code == 422 and "Say why the count differs" in refused.content.decode()
    done = client.post(adjust_url, {"counted": "9", "reason": "Found a pallet"}, follow=True)
    assert "Stock on hand corrected to 9" in done.content.decode()
    assert _stock(router) == (9, 2)

    for n in range(25):
        stock_receive(by=manager, product_id=router.pk, quantity=1, note=f"R{n}")
    first = client.get(page_url).content.decode()
    assert "R24" in first and "Found a pallet" not in first and "Load more" in first
    more_url = page_url + "?movements=" + first.split("?movements=")[1].split("#")[0]
    with django_assert_max_num_queries(8):
        more = client.get(more_url.split('"')[0], headers={"HX-Request": "true"})
    assert "Found a pallet" in more.content.decode() and "<html" not in more.content.decode()
    client.force_login(rep)
    assert 'id="stock-adjustment"' not in client.get(page_url).content.decode()
