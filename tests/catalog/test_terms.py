"""Sales terms written through their services: price lists with their prices,
promotions and financing plans. Each refusal names its field and leaves nothing
written; only catalogue managers write; history keeps what it refers to."""

import datetime
from decimal import Decimal

import pytest

from panorama.catalog.models import FinancingPlan, PriceList, PriceListItem, Promotion
from panorama.catalog.services.financing import financing_plan_create, financing_plan_update
from panorama.catalog.services.price_lists import (
    ItemData,
    price_list_create,
    price_list_item_remove,
    price_list_item_set,
    price_list_update,
)
from panorama.catalog.services.promotions import (
    promotion_create,
    promotion_redeem,
    promotion_update,
)
from panorama.core.exceptions import Conflict, PermissionDenied, ValidationFailed

from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

JAN, FEB = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)


def _state() -> tuple:
    """Everything these services could write, to compare before and after a refusal."""
    return (
        list(PriceList.objects.values().order_by("pk")),
        list(PriceListItem.objects.values().order_by("pk")),
        list(Promotion.objects.values().order_by("pk")),
        list(Promotion.products.through.objects.values().order_by("pk")),
        list(FinancingPlan.objects.values().order_by("pk")),
    )


@pytest.fixture
def router(db):
    return ProductFactory(name="Router", list_price=Decimal("100"))


@pytest.fixture
def pymes(manager, router):
    return price_list_create(
        by=manager,
        code="pymes",
        name="Pymes",
        segment="pymes",
        items=[ItemData(router.pk, price="90")],
    )


# --- price lists --------------------------------------------------------------------


def test_a_manager_creates_a_list_with_its_prices_and_changes_it(manager, router, emitted):
    with emitted() as events:
        created = price_list_create(
            by=manager,
            code="web-2026",
            name="Web 2026",
            channel="web",
            valid_from=JAN,
            items=[ItemData(router.pk, price="90"), ItemData(router.pk, "", "20", 10)],
        )
        price_list_update(
            by=manager,
            price_list=created,
            changes={"name": "Web", "valid_until": FEB, "items": [ItemData(router.pk, "80")]},
        )
    created.refresh_from_db()
    assert (created.name, created.valid_until, created.currency) == ("Web", FEB, "EUR")
    assert [(str(i.price), i.discount_percent) for i in created.items.all()] == [("80.00", None)]
    assert [name for name, _payload in events] == ["price_list.changed"] * 2


REFUSED_LISTS = [
    ({"code": "con espacios"}, "code"),
    ({"code": "pymes"}, "code"),  # taken
    ({"currency": "EURO"}, "currency"),
    ({"channel": "fax"}, "channel"),
    ({"name": ""}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"valid_from": FEB, "valid_until": JAN}, "valid_until"),
    ({"items": [ItemData(0, price="1")]}, "items.0.product"),
    ({"items": [ItemData(-1, price="1", discount_percent="5")]}, "items.0.price"),
    ({"items": [ItemData(-1)]}, "items.0.price"),
    ({"items": [ItemData(-1, price="-1")]}, "items.0.price"),
    ({"items": [ItemData(-1, price="abc")]}, "items.0.price"),
    ({"items": [ItemData(-1, discount_percent="101")]}, "items.0.discount_percent"),
    ({"items": [ItemData(-1, price="1", min_quantity="-2")]}, "items.0.min_quantity"),
    ({"items": [ItemData(-1, price="1"), ItemData(-1, "2", None, "1.0")]}, "items.1.min_quantity"),
]


@pytest.mark.parametrize(("given", "field"), REFUSED_LISTS)
def test_a_bad_price_list_is_refused_on_its_field_and_nothing_is_written(
    given, field, manager, pymes, router
):
    # -1 stands for the router, whose id the parameters cannot know.
    items = [
        ItemData(
            router.pk if i.product_id == -1 else i.product_id,
            i.price,
            i.discount_percent,
            i.min_quantity,
        )
        for i in given.get("items", [])
    ]
    data = {"code": "nueva", "name": "Nueva", **given, "items": items}
    before = _state()
    with pytest.raises(ValidationFailed) as refused:
        price_list_create(by=manager, **data)
    assert refused.value.field == field and str(refused.value.message)
    assert _state() == before
    if field == "code":
        return
    # The same check refuses the same change to an existing list.
    changes = {k: v for k, v in data.items() if k != "code"}
    with pytest.raises(ValidationFailed) as again:
        price_list_update(by=manager, price_list=pymes, changes=changes)
    assert again.value.field == field
    assert _state() == before


def test_a_list_keeps_its_code_and_its_currency_while_it_has_fixed_prices(manager, pymes):
    before = _state()
    with pytest.raises(ValidationFailed) as refused:
        price_list_update(by=manager, price_list=pymes, changes={"code": "otra"})
    assert refused.value.field == "code"
    with pytest.raises(ValidationFailed, match="fixed prices in EUR") as refused:
        price_list_update(by=manager, price_list=pymes, changes={"currency": "USD"})
    assert refused.value.field == "currency"
    assert _state() == before
    # Without fixed prices (discounts only) the currency may change.
    price_list_update(
        by=manager,
        price_list=pymes,
        changes={"currency": "usd", "items": [ItemData(pymes.items.get().product_id, None, 5)]},
    )
    pymes.refresh_from_db()
    assert pymes.currency == "USD"


def test_setting_one_price_uses_the_same_check(manager, pymes, router):
    with pytest.raises(ValidationFailed) as refused:
        price_list_item_set(by=manager, price_list=pymes, product=router, discount_percent="120")
    assert refused.value.field == "discount_percent"
    replaced = price_list_item_set(by=manager, price_list=pymes, product=router, price="85")
    assert pymes.items.count() == 1 and replaced.price == Decimal("85")
    price_list_item_remove(by=manager, item=replaced)
    assert not pymes.items.exists()


def test_a_rep_reads_but_never_writes_price_lists(rep, pymes, router):
    before = _state()
    item = pymes.items.get()
    calls = [
        lambda: price_list_create(by=rep, code="x", name="X"),
        lambda: price_list_update(by=rep, price_list=pymes, changes={"active": False}),
        lambda: price_list_item_set(by=rep, price_list=pymes, product=router, price="1"),
        lambda: price_list_item_remove(by=rep, item=item),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert _state() == before


def test_archiving_a_list_keeps_it_and_its_prices(manager, pymes):
    price_list_update(by=manager, price_list=pymes, changes={"active": False})
    pymes.refresh_from_db()
    assert not pymes.active and pymes.items.count() == 1


# --- promotions ---------------------------------------------------------------------


@pytest.fixture
def verano(manager, router):
    return promotion_create(
        by=manager,
        code="verano",
        name="Verano",
        kind="percent",
        value="10",
        coupon_code="Verano-26",
        max_uses=5,
        product_ids=[router.pk],
    )


def test_a_manager_creates_and_changes_a_promotion(manager, verano, router, emitted):
    category = CategoryFactory()
    assert verano.coupon_code == "VERANO-26" and list(verano.products.all()) == [router]
    with emitted() as events:
        changed = promotion_update(
            by=manager,
            promotion=verano,
            changes={
                "value": "15",
                "segments": ["PYMES", "pymes", " vip "],
                "product_ids": [],
                "category_ids": [category.pk],
                "valid_until": FEB,
            },
        )
    assert (changed.value, changed.segments, changed.valid_until) == (15, ["pymes", "vip"], FEB)
    assert not changed.products.exists() and list(changed.categories.all()) == [category]
    assert events == [
        ("promotion.changed", {"promotion_id": verano.pk, "code": "verano", "by": manager.pk})
    ]


REFUSED_PROMOTIONS = [
    ({"kind": "gift"}, "kind"),
    ({"value": "0"}, "value"),
    ({"value": "100.5"}, "value"),
    ({"kind": "amount", "value": "0"}, "value"),
    ({"kind": "buy_x_get_y", "buy_quantity": 2}, "free_quantity"),
    ({"buy_quantity": -1}, "buy_quantity"),
    ({"valid_from": FEB, "valid_until": JAN}, "valid_until"),
    ({"coupon_code": "verano-26"}, "coupon_code"),  # another's, in another case
    ({"coupon_code": "NO VALE"}, "coupon_code"),
    ({"coupon_code": "x" * 41}, "coupon_code"),
    ({"currency": "XX"}, "currency"),
    ({"channel": "fax"}, "channel"),
    ({"max_uses": -1}, "max_uses"),
    ({"segments": ["", "vip"]}, "segments"),
    ({"product_ids": [999999]}, "product_ids"),
    ({"category_ids": [999999]}, "category_ids"),
    ({"name": ""}, "name"),
]


@pytest.mark.parametrize(("given", "field"), REFUSED_PROMOTIONS)
def test_a_bad_promotion_is_refused_on_its_field_and_nothing_is_written(
    given, field, manager, verano
):
    other = promotion_create(by=manager, code="otra", name="Otra", kind="percent", value="5")
    data = {"code": "nueva", "name": "Nueva", "kind": "percent", "value": "10", **given}
    before = _state()
    with pytest.raises(ValidationFailed) as refused:
        promotion_create(by=manager, **data)
    assert refused.value.field == field
    with pytest.raises(ValidationFailed) as again:
        promotion_update(
            by=manager, promotion=other, changes={k: v for k, v in data.items() if k != "code"}
        )
    assert again.value.field == field
    assert _state() == before


def test_a_promotion_keeps_its_code_its_uses_and_a_unique_code(manager, verano):
    promotion_redeem(by=None, promotion=verano)
    promotion_redeem(by=None, promotion=verano)
    before = _state()
    for changes, field in (
        ({"code": "otro"}, "code"),
        ({"uses": 0}, "uses"),
        ({"max_uses": 1}, "max_uses"),  # already used twice
    ):
        with pytest.raises(ValidationFailed) as refused:
            promotion_update(by=manager, promotion=verano, changes=changes)
        assert refused.value.field == field
    with pytest.raises(ValidationFailed) as refused:
        promotion_create(by=manager, code="verano", name="Otra", kind="percent", value=5)
    assert refused.value.field == "code"
    assert _state() == before
    promotion_update(by=manager, promotion=verano, changes={"max_uses": 2})
    with pytest.raises(Conflict):
        promotion_redeem(by=None, promotion=verano)


def test_a_rep_cannot_change_a_promotion(rep, verano):
    before = _state()
    with pytest.raises(PermissionDenied):
        promotion_update(by=rep, promotion=verano, changes={"active": False})
    assert _state() == before


# --- financing plans ----------------------------------------------------------------


REFUSED_PLANS = [
    ({"instalments": 0}, "instalments"),
    ({"instalments": 481}, "instalments"),
    ({"instalments": "12"}, "instalments"),
    ({"annual_rate": "100.5"}, "annual_rate"),
    ({"annual_rate": "-1"}, "annual_rate"),
    ({"annual_rate": "x"}, "annual_rate"),
    ({"opening_fee_percent": "101"}, "opening_fee_percent"),
    ({"min_amount": "-5"}, "min_amount"),
    ({"min_amount": "500", "max_amount": "100"}, "max_amount"),
    ({"name": ""}, "name"),
]


@pytest.mark.parametrize(("given", "field"), REFUSED_PLANS)
def test_a_bad_plan_is_refused_on_its_field_and_nothing_is_written(given, field, manager):
    plan = financing_plan_create(by=manager, code="12m", name="12", instalments=12, annual_rate=5)
    data = {"code": "24m", "name": "24 meses", "instalments": 24, "annual_rate": "6", **given}
    before = _state()
    with pytest.raises(ValidationFailed) as refused:
        financing_plan_create(by=manager, **data)
    assert refused.value.field == field
    with pytest.raises(ValidationFailed) as again:
        financing_plan_update(
            by=manager, plan=plan, changes={k: v for k, v in data.items() if k != "code"}
        )
    assert again.value.field == field
    assert _state() == before


def test_a_plan_a_quote_uses_keeps_its_terms(manager, rep, emitted):
    from panorama.sales.services.quote import LineData, quote_create
    from tests.factories import CustomerFactory

    plan = financing_plan_create(by=manager, code="12m", name="12", instalments=12, annual_rate=5)
    before = _state()
    with pytest.raises(PermissionDenied):
        financing_plan_update(by=rep, plan=plan, changes={"name": "Otro"})
    customer = CustomerFactory()
    quote_create(
        by=None,
        customer_id=customer.pk,
        lines=[LineData(ProductFactory().pk)],
        financing_plan_id=plan.pk,
    )
    with pytest.raises(Conflict, match="Archive it") as refused:
        financing_plan_update(by=manager, plan=plan, changes={"annual_rate": "4"})
    assert refused.value.field == "annual_rate"
    assert _state() == before
    with emitted() as events:
        financing_plan_update(by=manager, plan=plan, changes={"name": "Doce", "active": False})
    plan.refresh_from_db()
    assert (plan.name, plan.active, plan.annual_rate) == ("Doce", False, 5)
    assert [name for name, _payload in events] == ["financing_plan.changed"]
