"""/api/v1/catalog/price-lists, /promotions and /financing-plans: everyone signed in
reads them page by page; only catalogue managers write (403 for a rep, nothing
written); a refusal is a 4xx naming the field."""

import pytest

from panorama.catalog.models import FinancingPlan, PriceList, Promotion
from panorama.catalog.services.financing import financing_plan_create
from panorama.catalog.services.price_lists import ItemData, price_list_create
from panorama.catalog.services.promotions import promotion_create

from .factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_lists_page_with_a_keyset_cursor(api_as, rep, django_assert_max_num_queries):
    product = ProductFactory()
    for n in range(3):
        price_list_create(
            by=None, code=f"l{n}", name=f"Lista {n}", items=[ItemData(product.pk, price="9")]
        )
        promotion_create(by=None, code=f"p{n}", name=f"Promo {n}", kind="percent", value=5)
        financing_plan_create(
            by=None, code=f"f{n}", name=f"Plan {n}", instalments=6 + n, annual_rate=3
        )
    api = api_as(rep)
    for path, key in (
        ("/catalog/price-lists", "name"),
        ("/catalog/promotions", "name"),
        ("/catalog/financing-plans", "name"),
    ):
        with django_assert_max_num_queries(6):  # token, user, page (+ its prefetches)
            first = api.get(path, data={"limit": 2}).json()
        rest = api.get(path, data={"limit": 2, "cursor": first["next_cursor"]}).json()
        names = [row[key] for row in first["items"] + rest["items"]]
        assert len(names) == 3 == len(set(names)) and rest["next_cursor"] is None
        refused = api.get(path, data={"cursor": "not-a-cursor"})
        assert refused.status_code == 422 and "cursor" in refused.json()["errors"]
    page = api.get("/catalog/price-lists", data={"search": "lista 1"}).json()
    assert [row["code"] for row in page["items"]] == ["l1"]
    assert page["items"][0]["items"][0]["price"] == "9.00"


def test_a_manager_creates_gets_and_patches_each(api_as, manager):
    product = ProductFactory()
    api = api_as(manager)
    created = api.post(
        "/catalog/price-lists",
        json={
            "code": "pymes",
            "name": "Pymes",
            "segment": "PYMES",
            "valid_from": "2026-01-01",
            "items": [{"product_id": product.pk, "price": "80"}],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["segment"], body["currency"], len(body["items"])) == ("pymes", "EUR", 1)
    patched = api.patch(
        f"/catalog/price-lists/{body['id']}", json={"valid_from": None, "name": "Pymes 26"}
    ).json()
    assert (patched["valid_from"], patched["name"], len(patched["items"])) == (None, "Pymes 26", 1)

    promo = api.post(
        "/catalog/promotions",
        json={
            "code": "otono",
            "name": "Otoño",
            "kind": "amount",
            "value": "5",
            "coupon_code": "otono5",
            "product_ids": [product.pk],
            "max_uses": 10,
        },
    )
    assert promo.status_code == 201, promo.content
    assert (promo.json()["coupon_code"], promo.json()["product_ids"]) == ("OTONO5", [product.pk])
    got = api.get(f"/catalog/promotions/{promo.json()['id']}").json()
    assert got["uses"] == 0 and got["max_uses"] == 10
    patched = api.patch(
        f"/catalog/promotions/{got['id']}", json={"max_uses": None, "active": False}
    ).json()
    assert (patched["max_uses"], patched["active"]) == (None, False)

    plan = api.post(
        "/catalog/financing-plans",
        json={"code": "24m", "name": "24 meses", "instalments": 24, "annual_rate": "7.5"},
    )
    assert plan.status_code == 201, plan.content
    patched = api.patch(
        f"/catalog/financing-plans/{plan.json()['id']}", json={"max_amount": "9000"}
    )
    assert patched.json()["max_amount"] == "9000.00"
    assert api.get(f"/catalog/financing-plans/{plan.json()['id']}").json()["code"] == "24m"


def test_a_rep_cannot_write_and_nothing_is_written(api_as, rep):
    price_list = price_list_create(by=None, code="pymes", name="Pymes")
    promotion = promotion_create(by=None, code="p", name="P", kind="percent", value=5)
    plan = financing_plan_create(by=None, code="12m", name="12", instalments=12, annual_rate=5)
    api = api_as(rep)
    calls = [
        api.post("/catalog/price-lists", json={"code": "x", "name": "X"}),
        api.patch(f"/catalog/price-lists/{price_list.pk}", json={"name": "Y"}),
        api.post(
            "/catalog/promotions", json={"code": "x", "name": "X", "kind": "percent", "value": 5}
        ),
        api.patch(f"/catalog/promotions/{promotion.pk}", json={"name": "Y"}),
        api.post(
            "/catalog/financing-plans",
            json={"code": "x", "name": "X", "instalments": 3, "annual_rate": 1},
        ),
        api.patch(f"/catalog/financing-plans/{plan.pk}", json={"name": "Y"}),
    ]
    assert [answer.status_code for answer in calls] == [403] * 6
    assert all(answer.json()["detail"] for answer in calls)
    assert PriceList.objects.get().name == "Pymes" and Promotion.objects.get().name == "P"
    assert FinancingPlan.objects.get().name == "12"


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/catalog/price-lists", {"code": "a b", "name": "X"}, "code"),
        (
            "/catalog/price-lists",
            {"code": "a", "name": "X", "items": [{"product_id": 999999, "price": 1}]},
            "items.0.product",
        ),
        (
            "/catalog/promotions",
            {"code": "a", "name": "X", "kind": "percent", "value": "250"},
            "value",
        ),
        (
            "/catalog/promotions",
            {"code": "a", "name": "X", "kind": "percent", "value": 5, "coupon_code": "existing"},
            "coupon_code",
        ),
        (
            "/catalog/financing-plans",
            {"code": "a", "name": "X", "instalments": 0, "annual_rate": 1},
            "instalments",
        ),
    ],
)
def test_a_refusal_is_a_422_naming_the_field(api_as, manager, path, payload, field):
    promotion_create(by=None, code="e", name="E", kind="percent", value=5, coupon_code="EXISTING")
    answer = api_as(manager).post(path, json=payload)
    assert answer.status_code == 422 and field in answer.json()["errors"], answer.content
    assert answer.json()["detail"]


def test_an_unknown_record_is_a_404(api_as, rep):
    api = api_as(rep)
    for path in ("price-lists", "promotions", "financing-plans"):
        assert api.get(f"/catalog/{path}/999999").status_code == 404
