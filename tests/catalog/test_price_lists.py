"""Price lists, promotions and segments: who writes them, what is refused, what is
announced, and the registry marketing will extend."""

import datetime

import pytest

from panorama.catalog.models import PriceList, Promotion
from panorama.catalog.segments import (
    customer_segments,
    segment_provider_register,
    segment_provider_unregister,
)
from panorama.catalog.services.price_lists import (
    price_list_create,
    price_list_item_set,
    promotion_create,
    promotion_redeem,
)
from panorama.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from tests.factories import CustomerFactory

from .factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_a_manager_creates_a_price_list_and_sets_prices(manager, emitted):
    product = ProductFactory()
    with emitted() as events:
        pymes = price_list_create(by=manager, code="pymes", name="Pymes", segment=" PYMES ")
        item = price_list_item_set(by=manager, price_list=pymes, product=product, price="9.5")
        again = price_list_item_set(by=manager, price_list=pymes, product=product, price="9")
    assert (pymes.segment, pymes.currency) == ("pymes", "EUR")
    assert again.pk == item.pk and str(again.price) == "9"  # the same quantity: replaced
    assert [name for name, _payload in events] == ["price_list.changed"] * 3


def test_a_sales_rep_cannot_change_prices(rep):
    with pytest.raises(PermissionDenied):
        price_list_create(by=rep, code="x", name="X")
    with pytest.raises(PermissionDenied):
        promotion_create(by=rep, code="x", name="X", kind="percent", value=5)
    assert not PriceList.objects.exists() and not Promotion.objects.exists()


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda p: price_list_create(by=None, code="a", name="A", currency="EURO"), "currency"),
        (lambda p: price_list_create(by=None, code="a", name="A", channel="fax"), "channel"),
        (
            lambda p: price_list_create(
                by=None,
                code="a",
                name="A",
                valid_from=datetime.date(2026, 2, 1),
                valid_until=datetime.date(2026, 1, 1),
            ),
            "valid_until",
        ),
        (
            lambda p: promotion_create(by=None, code="a", name="A", kind="percent", value=150),
            "value",
        ),
        (lambda p: promotion_create(by=None, code="a", name="A", kind="amount", value=0), "value"),
        (lambda p: promotion_create(by=None, code="a", name="A", kind="gift"), "kind"),
        (
            lambda p: promotion_create(
                by=None, code="a", name="A", kind="buy_x_get_y", buy_quantity=2
            ),
            "free_quantity",
        ),
    ],
)
def test_bad_price_lists_and_promotions_name_their_field(call, field):
    with pytest.raises(ValidationFailed) as refused:
        call(None)
    assert refused.value.field == field


def test_an_item_is_a_price_or_a_discount_never_both(manager):
    pymes = price_list_create(by=manager, code="pymes", name="Pymes")
    product = ProductFactory()
    for kwargs in ({}, {"price": "1", "discount_percent": "5"}):
        with pytest.raises(ValidationFailed, match="either a unit price or a discount"):
            price_list_item_set(by=manager, price_list=pymes, product=product, **kwargs)
    with pytest.raises(ValidationFailed) as refused:
        price_list_item_set(by=manager, price_list=pymes, product=product, discount_percent="101")
    assert refused.value.field == "discount_percent"


def test_coupon_codes_are_unique_whatever_their_case(manager):
    promotion_create(by=manager, code="a", name="A", kind="percent", value=5, coupon_code="hola")
    with pytest.raises(ValidationFailed) as refused:
        promotion_create(
            by=manager, code="b", name="B", kind="percent", value=5, coupon_code="HOLA"
        )
    assert refused.value.field == "coupon_code"


def test_a_promotion_is_redeemed_up_to_its_maximum(emitted):
    promotion = promotion_create(
        by=None, code="a", name="Dos usos", kind="percent", value=5, coupon_code="DOS", max_uses=2
    )
    with emitted() as events:
        promotion_redeem(by=None, promotion=promotion)
        promotion_redeem(by=None, promotion=promotion)
    assert [p["uses"] for _name, p in events] == [1, 2]
    with pytest.raises(Conflict, match="used its 2 times"):
        promotion_redeem(by=None, promotion=promotion)
    promotion.refresh_from_db()
    assert promotion.uses == 2


def test_segments_come_from_the_kind_and_the_custom_field_and_can_be_extended(db):
    pyme = CustomerFactory(kind="organisation", custom_fields={"segment": "Pymes"})
    person = CustomerFactory()
    assert customer_segments(pyme) == {"organisation", "pymes"}
    assert customer_segments(person) == {"person"}
    assert customer_segments(None) == frozenset()

    def marketing(customer):
        return ["jovenes"] if customer.kind == "person" else []

    segment_provider_register(marketing)
    try:
        assert customer_segments(person) == {"person", "jovenes"}
    finally:
        segment_provider_unregister(marketing)
    assert customer_segments(person) == {"person"}
