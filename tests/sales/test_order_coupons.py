# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""An order placed directly counts a use of each promotion that priced it, as an
accepted quote does: a coupon with a maximum number of uses stops at that number
whether it is used through the service, ``POST /api/v1/orders`` or the order page; the
order that finds it used up is refused on the coupon and nothing is written. The order
keeps the promotions it used; cancelling it gives each use back, once."""

from decimal import Decimal

import pytest
from django.urls import reverse

from panorama.catalog.models import Promotion
from panorama.catalog.services.price_lists import promotion_create
from panorama.core.exceptions import ValidationFailed
from panorama.sales.models import Order, OrderLine
from panorama.sales.services.order import order_create, order_transition
from panorama.sales.services.quote import LineData

from .quote_world import buyer, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def once(world):
    """Coupon UNICO: 20 % off, one use only."""
    return promotion_create(
        by=None,
        code="unico",
        name="Único",
        kind="percent",
        value="20",
        coupon_code="UNICO",
        max_uses=1,
    )


def _uses(promotion: Promotion) -> int:
    promotion.refresh_from_db()
    return promotion.uses


def test_an_order_counts_a_use_of_each_promotion_that_priced_it(rep, buyer, world, emitted):
    with emitted() as events:
        order = order_create(
            by=rep,
            customer_id=buyer.pk,
            coupon="bienvenida",
            lines=[LineData(product_id=world["router"].pk, quantity=2)],
        )
    # 2 routers: 100 − 10 % (Otoño, automatic) − 5 (the coupon) = 85 each.
    assert order.net == Decimal("170.00")
    assert (_uses(world["bienvenida"]), _uses(world["otono"])) == (1, 1)
    redeemed = sorted(p["promotion_id"] for name, p in events if name == "promotion.redeemed")
    assert redeemed == sorted([world["bienvenida"].pk, world["otono"].pk])


def test_a_used_up_coupon_refuses_the_order_and_writes_nothing(rep, buyer, world, once):
    line = [LineData(product_id=world["router"].pk)]
    order_create(by=rep, customer_id=buyer.pk, coupon="UNICO", lines=line)
    assert _uses(once) == 1
    with pytest.raises(ValidationFailed) as refused:
        order_create(by=rep, customer_id=buyer.pk, coupon="UNICO", lines=line)
    assert refused.value.field == "coupon"
    assert "UNICO" in str(refused.value.message)
    assert (Order.objects.count(), OrderLine.objects.count(), _uses(once)) == (1, 1, 1)


def test_cancelling_the_order_gives_the_coupons_use_back_once(rep, buyer, world, once, emitted):
    """A coupon with one use: used → the order cancelled → usable again, once."""
    line = [LineData(world["router"].pk)]
    order = order_create(by=rep, customer_id=buyer.pk, coupon="unico", lines=line)
    assert order.coupon == "UNICO"
    assert set(order.promotions_used.values_list("promotion__code", flat=True)) == {
        "unico",
        "otono",
    }
    with pytest.raises(ValidationFailed):
        order_create(by=rep, customer_id=buyer.pk, coupon="UNICO", lines=line)
    with emitted() as events:
        order_transition(by=rep, order_id=order.pk, to="cancelled")
    assert (_uses(once), _uses(world["otono"])) == (0, 0)
    released = sorted(p["promotion_id"] for name, p in events if name == "promotion.released")
    assert released == sorted([once.pk, world["otono"].pk])
    assert all(row.returned_at for row in order.promotions_used.all())
    # A cancelled order moves no more: the use is never given back twice.
    with pytest.raises(ValidationFailed):
        order_transition(by=rep, order_id=order.pk, to="cancelled")
    assert _uses(once) == 0
    again = order_create(by=rep, customer_id=buyer.pk, coupon="UNICO", lines=line)
    assert (_uses(once), again.promotions_used.count()) == (1, 2)


def test_a_shipped_order_keeps_its_uses(rep, buyer, world, once):
    order = order_create(
        by=rep, customer_id=buyer.pk, coupon="UNICO", lines=[LineData(world["router"].pk)]
    )
    for status in ("confirmed", "shipped", "delivered"):
        order_transition(by=rep, order_id=order.pk, to=status)
    with pytest.raises(ValidationFailed):
        order_transition(by=rep, order_id=order.pk, to="cancelled")
    assert _uses(once) == 1


def test_the_api_shows_the_coupon_and_the_use_given_back(api_as, rep, buyer, world, once):
    client = api_as(rep)
    body = {
        "customer_id": buyer.pk,
        "coupon": "unico",
        "lines": [{"product_id": world["router"].pk}],
    }
    placed = client.post("/orders", json=body).json()
    assert placed["coupon"] == "UNICO"
    used = {p["code"]: p for p in placed["promotions"]}
    assert used["unico"]["coupon_code"] == "UNICO" and used["unico"]["returned_at"] is None
    cancelled = client.post(f"/orders/{placed['id']}/transition", json={"to": "cancelled"})
    assert cancelled.status_code == 200
    assert all(p["returned_at"] for p in cancelled.json()["promotions"])
    again = client.post(f"/orders/{placed['id']}/transition", json={"to": "cancelled"})
    assert again.status_code == 422
    assert (_uses(once), client.post("/orders", json=body).status_code) == (0, 201)


def test_the_order_page_shows_the_coupon_and_the_use_given_back(client, rep, buyer, world, once):
    order = order_create(
        by=rep, customer_id=buyer.pk, coupon="UNICO", lines=[LineData(world["router"].pk)]
    )
    client.force_login(rep)
    url = reverse("sales:order_detail", args=[order.pk])
    page = client.get(url).content.decode()
    assert 'id="order-coupon">UNICO<' in page and "Único" in page
    assert "use given back" not in page
    client.post(reverse("sales:order_move", args=[order.pk]), {"to": "cancelled"})
    assert "use given back" in client.get(url).content.decode()
    assert _uses(once) == 0


def test_the_api_refuses_the_order_past_the_coupons_uses(api_as, rep, buyer, world, once):
    client = api_as(rep)
    body = {
        "customer_id": buyer.pk,
        "coupon": "unico",
        "lines": [{"product_id": world["router"].pk, "quantity": 1}],
    }
    assert client.post("/orders", json=body).status_code == 201
    again = client.post("/orders", json=body)
    assert again.status_code == 422
    assert "coupon" in again.json()["errors"]
    assert (Order.objects.count(), _uses(once)) == (1, 1)


def test_the_order_page_refuses_the_order_past_the_coupons_uses(client, rep, buyer, world, once):
    client.force_login(rep)
    url = reverse("sales:order_new", args=[buyer.pk])
    form = {"coupon": "UNICO", "product_0": world["router"].pk, "quantity_0": "1"}
    assert client.post(url, form).status_code == 302
    refused = client.post(url, form)
    assert refused.status_code == 422
    assert refused.context["form"].errors == {"coupon": ["The coupon UNICO has been used up."]}
    assert 'aria-invalid="true"' in refused.content.decode()
    assert (Order.objects.count(), _uses(once)) == (1, 1)
