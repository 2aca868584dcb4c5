# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""Orders through their services: placed directly (priced by the catalogue, delivery
from the stock fields), moved only along the allowed transitions, each move on the
timeline and as an event."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.sales.models import Order
from panorama.sales.services.order import order_create, order_transition
from panorama.sales.services.quote import LineData
from tests.factories import UserFactory

from .quote_world import buyer, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_a_direct_order_is_priced_and_dated_from_the_stock(rep, buyer, world, emitted):
    today = timezone.localdate()
    with emitted() as events:
        order = order_create(
            by=rep,
            customer_id=buyer.pk,
            lines=[
                LineData(product_id=world["router"].pk, quantity=8),
                LineData(product_id=world["pack"].pk, options=["fibra300", "movil_basico"]),
            ],
        )
    assert (order.status, order.reference) == ("draft", f"O-{order.pk:06d}")
    router, pack = order.lines.order_by("position")
    # 8 routers at 100 − 10 % = 720; 5 in stock, 7 days' lead time for the rest.
    assert router.net == Decimal("720.00")
    assert router.expected_date == today + datetime.timedelta(days=7)
    assert pack.expected_date == today  # not tracked, no lead time
    assert order.expected_delivery == today + datetime.timedelta(days=7)
    assert order.total == router.total + pack.total
    assert [name for name, _ in events if name.startswith("order.")] == ["order.created"]


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([{"quantity": -2}], "lines.0.quantity"),
        ([{"options": ["tv", "fibra300"]}], "lines.0.options"),
    ],
)
def test_a_bad_order_writes_nothing(rep, buyer, world, lines, field):
    given = [
        LineData(product_id=world["pack"].pk, **{"options": ["fibra300", "movil_basico"], **line})
        for line in lines
    ]
    with pytest.raises(ValidationFailed) as refused:
        order_create(by=rep, customer_id=buyer.pk, lines=given)
    assert refused.value.field == field
    assert not Order.objects.exists()


def test_only_the_allowed_transitions(rep, buyer, world, emitted):
    order = order_create(by=rep, customer_id=buyer.pk, lines=[LineData(world["router"].pk)])
    with pytest.raises(ValidationFailed) as refused:
        order_transition(by=rep, order_id=order.pk, to="shipped")
    assert refused.value.field == "status"
    with emitted() as events:
        order_transition(by=rep, order_id=order.pk, to="confirmed")
        order_transition(by=rep, order_id=order.pk, to="cancelled")
    order.refresh_from_db()
    assert order.status == "cancelled" and order.cancelled_at and order.confirmed_at
    assert [p["to_status"] for n, p in events if n == "order.status_changed"] == [
        "confirmed",
        "cancelled",
    ]
    with pytest.raises(ValidationFailed):
        order_transition(by=rep, order_id=order.pk, to="confirmed")
    with pytest.raises(ValidationFailed):
        order_transition(by=rep, order_id=order.pk, to="bogus")


def test_an_analyst_cannot_move_an_order(rep, buyer, world):
    order = order_create(by=rep, customer_id=buyer.pk, lines=[LineData(world["router"].pk)])
    with pytest.raises(PermissionDenied):
        order_transition(by=UserFactory(role="analyst"), order_id=order.pk, to="confirmed")
    assert Order.objects.get().status == "draft"
