# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""The quotes and orders API: scoped like customers (another team's quote is a 404),
bad input a 4xx JSON naming the field with nothing written, the whole approval and
acceptance path, the PDF download."""

import pytest

from panorama.accounts.models import Role
from panorama.catalog.models import Product
from panorama.sales.models import Order, Quote
from tests.factories import CustomerFactory, TeamFactory, UserFactory

from .quote_world import buyer, manager, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote_json(api_as, rep, buyer, world):
    response = api_as(rep).post(
        "/quotes",
        json={
            "customer_id": buyer.pk,
            "coupon": "BIENVENIDA",
            "lines": [
                {"product_id": world["router"].pk, "quantity": "2"},
                {
                    "product_id": world["pack"].pk,
                    "options": ["fibra1g", "movil_basico"],
                    "manual_discount_percent": "5",
                },
            ],
        },
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_and_read_a_quote_with_its_explanations(api_as, rep, quote_json):
    assert quote_json["reference"].startswith("Q-")
    assert quote_json["status"] == "draft"
    assert quote_json["net"] == "236.50"
    router = quote_json["lines"][0]
    assert [s["kind"] for s in router["explanation"]][:2] == ["list_price", "price_list"]
    assert quote_json["taxes"][0]["rate"] == "21.00"
    again = api_as(rep).get(f"/quotes/{quote_json['id']}")
    assert again.json()["total"] == quote_json["total"]
    page = api_as(rep).get("/quotes").json()
    assert [q["id"] for q in page["items"]] == [quote_json["id"]]


def test_a_rep_of_another_team_cannot_see_or_touch_the_quote(api_as, quote_json, world):
    other = UserFactory(username="otro", role=Role.SALES_REP, teams=[TeamFactory(name="Sur")])
    client = api_as(other)
    qid = quote_json["id"]
    assert client.get(f"/quotes/{qid}").status_code == 404
    assert client.get(f"/quotes/{qid}/pdf").status_code == 404
    added = client.post(f"/quotes/{qid}/lines", json={"product_id": world["router"].pk})
    assert added.status_code == 404
    assert client.get("/quotes").json()["items"] == []
    assert Quote.objects.get(pk=qid).lines.count() == 2


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"quantity": "-1"}, "quantity"),
        ({"options": ["tv", "fibra300", "movil_basico"]}, "options"),
        ({"manual_discount_percent": "150"}, "manual_discount_percent"),
    ],
)
def test_a_bad_line_is_a_422_naming_the_field(api_as, rep, quote_json, world, line, field):
    body = {"product_id": world["pack"].pk, "options": ["fibra300", "movil_basico"], **line}
    response = api_as(rep).post(f"/quotes/{quote_json['id']}/lines", json=body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert Quote.objects.get(pk=quote_json["id"]).lines.count() == 2


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"coupon": "VERANO"}, "coupon"),
        ({"price_list": "vieja"}, "price_list"),
        ({"currency": "JPY"}, "currency"),
    ],
)
def test_bad_terms_are_a_422_and_no_quote(api_as, rep, buyer, world, terms, field):
    response = api_as(rep).post(
        "/quotes",
        json={"customer_id": buyer.pk, "lines": [{"product_id": world["router"].pk}], **terms},
    )
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Quote.objects.exists()


def test_approval_send_and_acceptance_through_the_api(
    api_as, client, rep, manager, quote_json, smtp, settings
):
    settings.PANORAMA_QUOTE_APPROVAL_DISCOUNT = 10
    qid = quote_json["id"]
    line_id = quote_json["lines"][0]["id"]
    changed = api_as(rep).patch(
        f"/quotes/{qid}/lines/{line_id}", json={"manual_discount_percent": "20"}
    )
    assert changed.status_code == 200 and changed.json()["needs_approval"] is True
    refused = api_as(rep).post(f"/quotes/{qid}/send", json={})
    assert refused.status_code == 422
    assert "manual_discount_percent" in refused.json()["errors"]
    assert api_as(rep).post(f"/quotes/{qid}/approve", json={}).status_code == 403
    assert (
        api_as(rep).post(f"/quotes/{qid}/approval", json={"comment": "Volumen"}).status_code == 200
    )
    approved = api_as(manager).post(f"/quotes/{qid}/approve", json={"comment": "OK"})
    assert approved.json()["status"] == "approved"
    sent = api_as(rep).post(f"/quotes/{qid}/send", json={})
    assert sent.status_code == 200 and sent.json()["status"] == "sent"

    from panorama.sales.services.quote import acceptance_token

    url = f"/sales/quotes/accept/{acceptance_token(Quote.objects.get(pk=qid))}/"
    client.logout()
    page = client.get(url)
    assert page.status_code == 200
    assert quote_json["reference"] in page.content.decode()
    accepted = client.post(url)
    assert accepted.status_code == 200
    assert Order.objects.filter(quote_id=qid).count() == 1
    twice = client.post(url)
    assert twice.status_code == 409
    assert Order.objects.count() == 1


def test_a_new_version_through_the_api(api_as, rep, quote_json):
    response = api_as(rep).post(f"/quotes/{quote_json['id']}/versions")
    assert response.status_code == 201
    new = response.json()
    assert (new["version"], new["previous_id"], len(new["lines"])) == (2, quote_json["id"], 2)
    assert api_as(rep).post(f"/quotes/{quote_json['id']}/versions").status_code == 409


def test_the_pdf_downloads(api_as, rep, quote_json):
    response = api_as(rep).get(f"/quotes/{quote_json['id']}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_orders_directly_and_their_lifecycle(api_as, rep, buyer, world):
    client = api_as(rep)
    placed = client.post(
        "/orders",
        json={
            "customer_id": buyer.pk,
            "lines": [{"product_id": world["router"].pk, "quantity": 8}],
        },
    )
    assert placed.status_code == 201
    order = placed.json()
    assert order["status"] == "draft" and order["reference"].startswith("O-")
    # 8 routers, 5 in stock: the rest arrives after the 7 days' lead time.
    assert order["lines"][0]["expected_date"] == order["expected_delivery"]
    assert order["next_statuses"] == ["confirmed", "cancelled"]
    bad = client.post(f"/orders/{order['id']}/transition", json={"to": "delivered"})
    assert bad.status_code == 422 and "status" in bad.json()["errors"]
    confirmed = client.post(f"/orders/{order['id']}/transition", json={"to": "confirmed"})
    assert confirmed.status_code == 200 and confirmed.json()["backorder"] is True
    # 3 routers missing: no shipment until they arrive (see tests/sales/test_order_stock.py).
    short = client.post(f"/orders/{order['id']}/transition", json={"to": "shipped"})
    assert short.status_code == 422 and "Router (RT)" in short.json()["errors"]["status"][0]
    Product.objects.filter(pk=world["router"].pk).update(stock_on_hand=8)
    for status in ("shipped", "delivered"):
        moved = client.post(f"/orders/{order['id']}/transition", json={"to": status})
        assert moved.status_code == 200 and moved.json()["status"] == status
    other = UserFactory(username="otro", role=Role.SALES_REP, teams=[TeamFactory(name="Sur")])
    assert api_as(other).get(f"/orders/{order['id']}").status_code == 404


def test_an_order_for_a_customer_out_of_sight_is_a_404(api_as, rep, world):
    stranger = CustomerFactory(team=TeamFactory(name="Norte"))
    response = api_as(rep).post(
        "/orders", json={"customer_id": stranger.pk, "lines": [{"product_id": world["router"].pk}]}
    )
    assert response.status_code == 404
    assert not Order.objects.exists()


def test_a_lines_options_are_checked_by_the_catalogues_configurator(api_as, rep, quote_json, world):
    """The API's line options get the very sentences of the catalogue's configurator
    (GET its options, POST a configuration), in the reader's language, each on its own."""
    client = api_as(rep)
    pack = world["pack"].pk
    codes = [o["code"] for o in client.get(f"/catalog/products/{pack}/options").json()["options"]]
    assert {"fibra300", "fibra1g", "tv"} <= set(codes)
    bad = ["tv", "fibra300"]
    configured = client.post(f"/catalog/products/{pack}/configure", json={"options": bad}).json()
    expected = [problem["message"] for problem in configured["problems"]]
    assert len(expected) == 2  # tv excludes fibra300; no mobile line

    refused = client.post(
        f"/quotes/{quote_json['id']}/lines", json={"product_id": pack, "options": bad}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"]["options"] == expected

    line = quote_json["lines"][1]
    changed = client.patch(
        f"/quotes/{quote_json['id']}/lines/{line['id']}",
        json={"options": ["fibra300", "movil_basico", "tv"]},
    )
    assert changed.status_code == 422
    assert changed.json()["errors"]["options"] == expected[:1]
    fine = client.patch(
        f"/quotes/{quote_json['id']}/lines/{line['id']}",
        json={"options": ["fibra300", "movil_basico"]},
    )
    assert fine.status_code == 200
    assert fine.json()["lines"][1]["options"] == ["fibra300", "movil_basico", "instalacion"]
