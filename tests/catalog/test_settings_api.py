"""/api/v1/catalog/categories, units, taxes and exchange-rates: a catalogue manager
writes the reference data through the settings page's services (201, the same refusals
as a 422 naming the field, nothing saved), everyone signed in reads, a rep's writes are
403 before the body is looked at; and a quote in a currency that had no rate prices once
the rate is set through the API."""

from decimal import Decimal

import pytest
from django.utils import timezone

from panorama.catalog.models import Category, ExchangeRate, Tax, Unit
from panorama.config.api import api as ninja_api
from panorama.core.exceptions import ValidationFailed
from panorama.sales.services.quote import LineData, quote_create, quote_line_add
from tests.factories import CustomerFactory

from .factories import ProductFactory

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (
        Category.objects.count(),
        Unit.objects.count(),
        Tax.objects.count(),
        ExchangeRate.objects.count(),
    )


def _refused(answer, field: str, message: str) -> None:
    assert answer.status_code == 422, answer.content
    body = answer.json()
    assert message in body["detail"] and field in body["errors"], body


def test_a_manager_writes_the_reference_data(api_as, manager, emitted):
    api = api_as(manager)
    banca = api.post("/catalog/categories", json={"name": "Banca"})
    assert banca.status_code == 201 and banca.json()["parent_id"] is None
    cuentas = api.post(
        "/catalog/categories", json={"name": "Cuentas", "parent_id": banca.json()["id"]}
    )
    assert cuentas.status_code == 201 and cuentas.json()["parent_id"] == banca.json()["id"]
    moved = api.patch(
        f"/catalog/categories/{cuentas.json()['id']}",
        json={"name": "Cuentas corrientes", "parent_id": None},
    )
    assert moved.status_code == 200
    assert moved.json() == {
        "id": cuentas.json()["id"],
        "name": "Cuentas corrientes",
        "parent_id": None,
    }

    unit = api.post("/catalog/units", json={"code": "h", "name": "Hora"})
    assert unit.status_code == 201 and unit.json()["code"] == "h"
    renamed = api.patch(f"/catalog/units/{unit.json()['id']}", json={"name": "Horas"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Horas"

    tax = api.post("/catalog/taxes", json={"code": "iva10", "name": "IVA 10 %", "rate": "10"})
    assert tax.status_code == 201 and Decimal(tax.json()["rate"]) == 10 and tax.json()["active"]
    changed = api.patch(f"/catalog/taxes/{tax.json()['id']}", json={"rate": "5", "active": False})
    assert changed.status_code == 200
    assert Decimal(changed.json()["rate"]) == 5 and changed.json()["active"] is False
    assert [t["code"] for t in api.get("/catalog/taxes").json()] == ["iva10"]

    with emitted() as events:
        rate = api.post(
            "/catalog/exchange-rates",
            json={"currency": "usd", "rate": "0.92", "valid_from": "2026-01-01"},
        )
    assert rate.status_code == 201
    assert {k: rate.json()[k] for k in ("currency", "valid_from")} == {
        "currency": "USD",
        "valid_from": "2026-01-01",
    }
    assert events == [
        (
            "exchange_rate.changed",
            {"currency": "USD", "rate": "0.92", "valid_from": "2026-01-01", "by": manager.pk},
        )
    ]
    api.post(
        "/catalog/exchange-rates",
        json={"currency": "USD", "rate": "0.95", "valid_from": "2026-02-01"},
    )
    api.post(
        "/catalog/exchange-rates",
        json={"currency": "GBP", "rate": "1.17", "valid_from": "2026-01-01"},
    )
    usd = api.get("/catalog/exchange-rates?currency=usd").json()
    assert [(r["valid_from"], Decimal(r["rate"])) for r in usd] == [
        ("2026-02-01", Decimal("0.95")),
        ("2026-01-01", Decimal("0.92")),
    ]
    assert [r["currency"] for r in api.get("/catalog/exchange-rates").json()] == [
        "GBP",
        "USD",
        "USD",
    ]


def test_bad_input_is_a_422_naming_the_field_and_nothing_is_saved(api_as, manager):
    api = api_as(manager)
    api.post("/catalog/units", json={"code": "h", "name": "Hora"})
    api.post("/catalog/taxes", json={"code": "iva21", "name": "IVA 21 %", "rate": "21"})
    banca = api.post("/catalog/categories", json={"name": "Banca"}).json()
    before = _counts()
    day = "2026-01-01"
    _refused(
        api.post(
            "/catalog/exchange-rates", json={"currency": "USD", "rate": "0", "valid_from": day}
        ),
        "rate",
        "more than 0",
    )
    _refused(
        api.post(
            "/catalog/exchange-rates", json={"currency": "USD", "rate": "-1", "valid_from": day}
        ),
        "rate",
        "more than 0",
    )
    _refused(
        api.post(
            "/catalog/exchange-rates", json={"currency": "EUR", "rate": "1", "valid_from": day}
        ),
        "currency",
        "company currency",
    )
    _refused(
        api.post(
            "/catalog/exchange-rates", json={"currency": "XYZ", "rate": "1", "valid_from": day}
        ),
        "currency",
        "not a currency code",
    )
    _refused(
        api.post("/catalog/units", json={"code": "h", "name": "Otra"}),
        "code",
        "This code is taken.",
    )
    _refused(
        api.post("/catalog/taxes", json={"code": "IVA21", "name": "Otro", "rate": "21"}),
        "code",
        "This code is taken.",
    )
    _refused(
        api.post("/catalog/taxes", json={"code": "x", "name": "X", "rate": "101"}),
        "rate",
        "between 0 and 100",
    )
    _refused(api.post("/catalog/categories", json={"name": "banca"}), "name", "already exists")
    _refused(
        api.post("/catalog/categories", json={"name": "X", "parent_id": 99999}),
        "parent_id",
        "no category",
    )
    _refused(
        api.patch(f"/catalog/categories/{banca['id']}", json={"parent_id": banca["id"]}),
        "parent_id",
        "under itself",
    )
    _refused(api.get("/catalog/exchange-rates?currency=nope"), "currency", "not a currency code")
    assert _counts() == before
    assert api.patch("/catalog/units/99999", json={"name": "X"}).status_code == 404


def test_a_rep_reads_but_every_write_is_403_before_the_body(api_as, manager, rep):
    api = api_as(manager)
    unit = api.post("/catalog/units", json={"code": "h", "name": "Hora"}).json()
    tax = api.post("/catalog/taxes", json={"code": "iva21", "name": "IVA", "rate": "21"}).json()
    category = api.post("/catalog/categories", json={"name": "Banca"}).json()
    api.post(
        "/catalog/exchange-rates",
        json={"currency": "USD", "rate": "0.9", "valid_from": "2026-01-01"},
    )
    before = _counts()
    api = api_as(rep)
    for path in ("categories", "units", "taxes", "exchange-rates"):
        assert api.get(f"/catalog/{path}").status_code == 200
    for method, path, body in [
        ("post", "categories", {"name": "X", "parent_id": 99999}),  # naming nothing: 403 first
        ("patch", f"categories/{category['id']}", {"name": "X"}),
        ("post", "units", {"code": "h", "name": "X"}),
        ("patch", f"units/{unit['id']}", {"name": "X"}),
        ("post", "taxes", {"code": "x", "name": "X", "rate": "500"}),
        ("patch", f"taxes/{tax['id']}", {"rate": "5"}),
        ("post", "exchange-rates", {"currency": "EUR", "rate": "0", "valid_from": "2026-01-01"}),
    ]:
        answer = getattr(api, method)(f"/catalog/{path}", json=body)
        assert answer.status_code == 403, (method, path, answer.content)
    assert _counts() == before
    assert Tax.objects.get().rate == 21


def test_a_quote_in_a_currency_without_a_rate_prices_once_the_rate_is_set(
    api_as, manager, rep, team
):
    licence = ProductFactory(name="Licencia", list_price=Decimal("100.00"), currency="GBP")
    buyer = CustomerFactory(owner=rep, team=team)
    quote = quote_create(by=rep, customer_id=buyer.pk)
    with pytest.raises(ValidationFailed) as refused:
        quote_line_add(by=rep, quote_id=quote.pk, line=LineData(product_id=licence.pk))
    assert refused.value.field == "currency" and "GBP" in str(refused.value.message)

    today = timezone.localdate().isoformat()
    answer = api_as(manager).post(
        "/catalog/exchange-rates", json={"currency": "GBP", "rate": "1.20", "valid_from": today}
    )
    assert answer.status_code == 201
    quote_line_add(by=rep, quote_id=quote.pk, line=LineData(product_id=licence.pk))
    quote.refresh_from_db()
    assert quote.lines.get().net == Decimal("120.00")


def test_the_writes_are_in_the_openapi_schema():
    paths = ninja_api.get_openapi_schema(path_prefix="/api/v1")["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/catalog/categories"])
    assert "patch" in paths["/api/v1/catalog/categories/{category_id}"]
    assert {"get", "post"} <= set(paths["/api/v1/catalog/units"])
    assert "patch" in paths["/api/v1/catalog/units/{unit_id}"]
    assert {"get", "post"} <= set(paths["/api/v1/catalog/taxes"])
    assert "patch" in paths["/api/v1/catalog/taxes/{tax_id}"]
    rates = paths["/api/v1/catalog/exchange-rates"]
    assert 201 in rates["post"]["responses"]
    assert [p["name"] for p in rates["get"]["parameters"]] == ["currency"]
