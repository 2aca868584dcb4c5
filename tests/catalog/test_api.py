"""/api/v1/catalog/products: everyone signed in reads, catalogue managers write, bad input
is a 4xx naming the field."""

from decimal import Decimal

import pytest

from panorama.catalog.models import Product
from tests.factories import UserFactory

from .factories import CategoryFactory, ProductFactory, TaxFactory

pytestmark = pytest.mark.django_db


def test_the_list_pages_by_name_with_a_cursor(api, django_assert_max_num_queries):
    category = CategoryFactory(name="Cuentas")
    for n in range(5):
        ProductFactory(name=f"Cuenta {n}", category=category)

    with django_assert_max_num_queries(4):  # token, its last use, the page
        first = api.get("/catalog/products?limit=3").json()
    second = api.get(f"/catalog/products?limit=3&cursor={first['next_cursor']}").json()

    assert [p["name"] for p in first["items"]] == ["Cuenta 0", "Cuenta 1", "Cuenta 2"]
    assert [p["name"] for p in second["items"]] == ["Cuenta 3", "Cuenta 4"]
    assert second["next_cursor"] is None
    assert first["items"][0]["category_name"] == "Cuentas"
    assert first["items"][0]["tax_rate"] == "21.00"


def test_the_list_filters_by_name_sku_and_kind(api):
    ProductFactory(name="Seguro Hogar", sku="SEG-H", kind="service")
    ProductFactory(name="Router", sku="RT-1")
    assert [p["sku"] for p in api.get("/catalog/products?search=seg").json()["items"]] == ["SEG-H"]
    assert [p["sku"] for p in api.get("/catalog/products?kind=product").json()["items"]] == ["RT-1"]
    bad = api.get("/catalog/products?cursor=nope")
    assert bad.status_code == 422 and "cursor" in bad.json()["errors"]


def test_a_sales_rep_reads_any_product(api_as, rep):
    product = ProductFactory(name="Hipoteca Fija")
    answer = api_as(rep).get(f"/catalog/products/{product.pk}")
    assert answer.status_code == 200
    assert answer.json()["name"] == "Hipoteca Fija"
    assert api_as(rep).get("/catalog/products/999999").status_code == 404


def test_a_manager_creates_and_patches_a_product(api_as, manager):
    tax = TaxFactory()
    client = api_as(manager)
    created = client.post(
        "/catalog/products",
        json={"sku": "TPV-1", "name": "TPV", "list_price": "249.90", "tax_id": tax.pk},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["currency"], body["list_price"], body["tax_rate"]) == ("EUR", "249.90", "21.00")

    patched = client.patch(
        f"/catalog/products/{body['id']}", json={"list_price": "199", "tax_id": None}
    )
    assert patched.status_code == 200
    assert (patched.json()["list_price"], patched.json()["tax_id"]) == ("199.00", None)


def test_a_sales_rep_cannot_write(api_as, rep):
    product = ProductFactory(list_price=Decimal("5.00"))
    client = api_as(rep)
    refused = client.post("/catalog/products", json={"sku": "X", "name": "X", "list_price": 1})
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Only sales managers and administrators may change the catalogue."
    )
    assert (
        client.patch(f"/catalog/products/{product.pk}", json={"list_price": 1}).status_code == 403
    )
    product.refresh_from_db()
    assert product.list_price == Decimal("5.00") and Product.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sku": "A", "name": "A", "list_price": "-1"}, "list_price"),
        ({"sku": "A", "name": "A", "list_price": "1", "currency": "XYZ"}, "currency"),
        ({"sku": "A", "name": "A", "list_price": "1", "category_id": 987654}, "category_id"),
        ({"sku": "A", "name": "A"}, "list_price"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api, body, field):
    answer = api.post("/catalog/products", json=body)
    assert answer.status_code == 422, answer.content
    assert field in answer.json()["errors"]
    assert Product.objects.count() == 0


def test_availability_and_conversion(api):
    product = ProductFactory(track_stock=True, stock_on_hand=2, lead_time_days=3)
    found = api.get(f"/catalog/products/{product.pk}/availability?quantity=5&on=2026-12-07").json()
    assert (found["available"], found["expected_date"], found["complete"]) == (
        2,
        "2026-12-10",
        False,
    )
    refused = api.get("/catalog/convert?amount=10&currency=USD")
    assert refused.status_code == 422 and "USD" in refused.json()["detail"]
    assert api.get("/catalog/convert?amount=10&currency=EUR").json()["converted"] == "10.00"


def test_an_analyst_reads_the_reference_lists(api_as):
    analyst = UserFactory(username="ana", role="analyst")
    TaxFactory()
    CategoryFactory(name="Seguros")
    client = api_as(analyst)
    assert [t["code"] for t in client.get("/catalog/taxes").json()] == ["iva21"]
    assert [c["name"] for c in client.get("/catalog/categories").json()] == ["Seguros"]


def test_the_configurator_explains_a_refusal_and_prices_a_valid_choice(api_as, rep):
    from .configurable import fibre_pack

    pack = fibre_pack()
    client = api_as(rep)
    url = f"/catalog/products/{pack.pk}/configure"

    refused = client.post(url, json={"options": ["fibra300", "tv", "movil_basico"]}).json()
    assert refused["valid"] is False
    assert refused["problems"] == [
        {
            "code": "excludes",
            "message": "“Televisión” cannot be combined with “Fibra 300 Mb”: "
            "keep only one of them.",
            "options": ["tv", "fibra300"],
        }
    ]

    valid = client.post(url, json={"options": ["fibra1g", "movil_ilimitado"]}).json()
    assert valid["valid"] is True
    assert (valid["unit_price"], valid["options_price"]) == ("85.00", "35.00")
    assert [o["code"] for o in valid["options"]] == ["fibra1g", "movil_ilimitado", "instalacion"]

    model = client.get(f"/catalog/products/{pack.pk}/options").json()
    assert [g["code"] for g in model["groups"]] == ["velocidad", "lineas"]
    rules = [{k: r[k] for k in ("option", "kind", "target")} for r in model["rules"]]
    assert {"option": "ip_fija", "kind": "requires", "target": "fibra1g"} in rules
    assert {k: v for k, v in model["options"][0].items() if k not in ("id", "position")} == {
        "code": "fibra300",
        "name": "Fibra 300 Mb",
        "price": "0.00",
        "included": False,
        "group": "velocidad",
        "component_id": None,
        "component": None,
    }
    assert client.post("/catalog/products/999999/configure", json={}).status_code == 404


def test_the_api_prices_lines_and_explains_them(api_as, rep, team):
    from tests.factories import CustomerFactory

    from .pricing_world import pricing_world

    world = pricing_world()
    mine = CustomerFactory(
        owner=rep, team=team, kind="organisation", custom_fields={"segment": "pymes"}
    )
    other = CustomerFactory(team=None, owner=None)
    client = api_as(rep)
    body = {
        "on": "2026-12-01",
        "customer_id": mine.pk,
        "coupon": "bienvenida",
        "lines": [
            {"product_id": world["router"].pk, "quantity": "10"},
            {"product_id": world["pack"].pk, "options": ["fibra1g", "movil_basico"]},
        ],
    }
    answer = client.post("/catalog/price", json=body)
    assert answer.status_code == 200, answer.content
    priced = answer.json()
    router, pack = priced["lines"]
    # Router: Pymes 80.00 × 10 = 800.00; Otoño 10 % = 80.00; coupon 5 × 10 = 50.00 → 670.00;
    # IVA 140.70 → 810.70. Pack: 75.00; coupon 5.00 → 70.00; IVA 14.70 → 84.70.
    assert (router["net"], router["total"], router["price_list"]) == ("670.00", "810.70", "pymes")
    assert (pack["net"], pack["total"]) == ("70.00", "84.70")
    assert (priced["net"], priced["tax"], priced["total"]) == ("740.00", "155.40", "895.40")
    assert [s["kind"] for s in router["explanation"]] == [
        "list_price",
        "price_list",
        "quantity",
        "promotion",
        "coupon",
        "manual_discount",
        "tax",
    ]

    refused = client.post(
        "/catalog/price",
        json={**body, "lines": [{"product_id": world["router"].pk, "quantity": "-2"}]},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "lines.0.quantity": ["Line 1: a quantity must be more than 0."]
    }
    expired = client.post("/catalog/price", json={**body, "coupon": "VERANO"})
    assert expired.status_code == 422 and "coupon" in expired.json()["errors"]
    # A customer the rep cannot see does not exist for him.
    assert client.post("/catalog/price", json={**body, "customer_id": other.pk}).status_code == 404
