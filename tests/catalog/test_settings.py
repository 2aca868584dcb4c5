"""The catalogue settings: categories, units, taxes and exchange rates are managed on
/catalog/settings/ through the services (the admin only shows them). A catalogue manager
adds and renames them, a refusal comes back on its field with 422 and nothing saved,
everyone signed in reads the page, and a rep's writes are 403."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from panorama.catalog.models import Category, ExchangeRate, Tax, Unit
from panorama.catalog.services.products import (
    category_create,
    category_update,
    exchange_rate_set,
    tax_create,
    tax_update,
    unit_create,
    unit_update,
)
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.sales.services.quote import LineData, quote_create
from tests.factories import CustomerFactory

from .factories import ProductFactory

pytestmark = pytest.mark.django_db

SETTINGS = "/catalog/settings/"


def _counts() -> tuple[int, int, int, int]:
    return (
        Category.objects.count(),
        Unit.objects.count(),
        Tax.objects.count(),
        ExchangeRate.objects.count(),
    )


# --- services -------------------------------------------------------------------------


def test_the_services_refuse_bad_reference_data_naming_the_field(manager):
    banca = category_create(by=manager, name="Banca")
    cuentas = category_create(by=manager, name="Cuentas", parent=banca)
    unit_create(by=manager, code="h", name="Hora")
    tax_create(by=manager, code="iva21", name="IVA 21 %", rate="21")
    refusals = [
        (lambda: category_create(by=manager, name="banca"), "name"),
        (lambda: category_create(by=manager, name="X", parent=999999), "parent"),
        (
            lambda: category_update(by=manager, category=banca, changes={"parent": cuentas}),
            "parent",
        ),
        (
            lambda: category_update(by=manager, category=banca, changes={"parent": banca.pk}),
            "parent",
        ),
        (lambda: category_update(by=manager, category=cuentas, changes={"name": ""}), "name"),
        (lambda: unit_create(by=manager, code="H", name="Otra hora"), "code"),
        (lambda: unit_create(by=manager, code="m 2", name="Metro"), "code"),
        (lambda: unit_update(by=manager, unit=Unit.objects.get(), changes={"code": "x"}), "code"),
        (lambda: tax_create(by=manager, code="iva21", name="Otro", rate="21"), "code"),
        (lambda: tax_create(by=manager, code="x", name="X", rate="-1"), "rate"),
        (lambda: tax_update(by=manager, tax=Tax.objects.get(), changes={"rate": "101"}), "rate"),
        (
            lambda: exchange_rate_set(
                by=manager, currency="USD", rate="0", valid_from="2026-01-01"
            ),
            "rate",
        ),
        (
            lambda: exchange_rate_set(
                by=manager, currency="USD", rate="-2", valid_from="2026-01-01"
            ),
            "rate",
        ),
        (
            lambda: exchange_rate_set(
                by=manager, currency="EUR", rate="1", valid_from="2026-01-01"
            ),
            "currency",
        ),
        (
            lambda: exchange_rate_set(
                by=manager, currency="XXQ", rate="1", valid_from="2026-01-01"
            ),
            "currency",
        ),
        (
            lambda: exchange_rate_set(by=manager, currency="USD", rate="1", valid_from="mañana"),
            "valid_from",
        ),
    ]
    before = _counts()
    for attempt, field in refusals:
        with pytest.raises(ValidationFailed) as refused:
            attempt()
        assert refused.value.field == field, refused.value.message
    assert _counts() == before
    assert Category.objects.get(pk=banca.pk).parent_id is None


def test_renames_and_moves_go_through(manager):
    banca = category_create(by=manager, name="Banca")
    seguros = category_create(by=manager, name="Seguros")
    category_update(
        by=manager, category=seguros, changes={"name": "Seguros hogar", "parent": banca}
    )
    seguros.refresh_from_db()
    assert (seguros.name, seguros.parent_id) == ("Seguros hogar", banca.pk)
    unit = unit_create(by=manager, code="mes", name="Mes")
    assert unit_update(by=manager, unit=unit, changes={"name": "Mensualidad"}).name == "Mensualidad"
    tax = tax_create(by=manager, code="iva10", name="IVA 10 %", rate="10")
    tax = tax_update(by=manager, tax=tax, changes={"rate": "5", "active": False})
    assert (tax.rate, tax.active) == (Decimal("5"), False)


def test_a_rep_may_not_change_reference_data(rep):
    with pytest.raises(PermissionDenied):
        unit_create(by=rep, code="h", name="Hora")
    with pytest.raises(PermissionDenied):
        exchange_rate_set(by=rep, currency="USD", rate="0.9", valid_from=datetime.date(2026, 1, 1))


def test_a_new_tax_rate_does_not_rewrite_existing_quote_lines(manager, rep, team):
    tax = tax_create(by=manager, code="iva21", name="IVA 21 %", rate="21")
    product = ProductFactory(list_price=Decimal("100.00"), tax=tax)
    buyer = CustomerFactory(owner=rep, team=team)
    quote = quote_create(by=rep, customer_id=buyer.pk, lines=[LineData(product_id=product.pk)])
    line = quote.lines.get()
    assert (line.tax_rate, line.tax) == (Decimal("21.00"), Decimal("21.00"))

    tax_update(by=manager, tax=tax, changes={"rate": "10", "name": "IVA 10 %"})
    line.refresh_from_db()
    quote.refresh_from_db()
    assert (line.tax_name, line.tax_rate, line.tax) == ("IVA 21 %", Decimal("21.00"), Decimal("21"))
    assert quote.total == Decimal("121.00")
    # A quote priced from now on uses the new rate.
    later = quote_create(by=rep, customer_id=buyer.pk, lines=[LineData(product_id=product.pk)])
    assert later.lines.get().tax_rate == Decimal("10.00")


# --- the page -------------------------------------------------------------------------


def test_a_manager_manages_the_reference_data_on_the_page(client, manager):
    client.force_login(manager)
    catalogue = client.get(reverse("catalog:product_list")).content.decode()
    assert SETTINGS in catalogue  # linked from the catalogue (sidebar and its tabs)
    assert "No categories yet" in client.get(SETTINGS).content.decode()

    answer = client.post(reverse("catalog:category_add"), {"name": "Banca", "parent": ""})
    assert answer.status_code == 302 and answer["Location"] == SETTINGS + "#categories"
    banca = Category.objects.get(name="Banca")
    client.post(reverse("catalog:category_add"), {"name": "Cuentas", "parent": banca.pk})
    assert (
        client.post(reverse("catalog:unit_add"), {"code": "h", "name": "Hora"}).status_code == 302
    )
    answer = client.post(
        reverse("catalog:tax_add"), {"code": "iva4", "name": "IVA 4 %", "rate": "4", "active": "on"}
    )
    assert answer.status_code == 302
    answer = client.post(
        reverse("catalog:rate_set"), {"currency": "usd", "rate": "0.92", "valid_from": "2026-01-01"}
    )
    assert answer.status_code == 302 and answer["Location"] == SETTINGS + "#rates"
    client.post(
        reverse("catalog:rate_set"), {"currency": "USD", "rate": "0.95", "valid_from": "2026-02-01"}
    )

    client.post(
        reverse("catalog:rate_set"),
        {"currency": "JPY", "rate": "0.00612345", "valid_from": "2026-01-01"},
    )

    page = client.get(SETTINGS).content.decode()
    assert "0.00612345" in page  # every digit of a rate, not three decimals
    assert "Cuentas" in page and "Hora" in page and "IVA 4 %" in page
    assert "0.95" in page and "0.92" in page and "2 rates" in page

    cuentas = Category.objects.get(name="Cuentas")
    edit = reverse("catalog:category_edit", args=[cuentas.pk])
    assert edit in page
    answer = client.post(edit, {"name": "Cuentas corrientes", "parent": banca.pk})
    assert answer.status_code == 302
    assert Category.objects.get(pk=cuentas.pk).name == "Cuentas corrientes"
    tax = Tax.objects.get(code="iva4")
    answer = client.post(reverse("catalog:tax_edit", args=[tax.pk]), {"name": "IVA 4", "rate": "5"})
    assert answer.status_code == 302
    tax.refresh_from_db()
    assert (tax.name, tax.rate, tax.active) == ("IVA 4", Decimal("5"), False)
    unit = Unit.objects.get(code="h")
    client.post(reverse("catalog:unit_edit", args=[unit.pk]), {"name": "Horas"})
    assert Unit.objects.get(pk=unit.pk).name == "Horas"


def test_a_refusal_comes_back_on_its_field_with_422_and_nothing_saved(client, manager):
    client.force_login(manager)
    unit_create(by=manager, code="h", name="Hora")
    before = _counts()
    for url, data, field_id, message in [
        (
            reverse("catalog:rate_set"),
            {"currency": "USD", "rate": "0", "valid_from": "2026-01-01"},
            "rate-rate",
            "A rate must be more than 0.",
        ),
        (
            reverse("catalog:rate_set"),
            {"currency": "EUR", "rate": "1", "valid_from": "2026-01-01"},
            "rate-currency",
            "EUR is the company currency",
        ),
        (
            reverse("catalog:rate_set"),
            {"currency": "ZZZ", "rate": "1", "valid_from": "2026-01-01"},
            "rate-currency",
            "not a currency code",
        ),
        (
            reverse("catalog:unit_add"),
            {"code": "h", "name": "Otra"},
            "unit-code",
            "This code is taken.",
        ),
        (
            reverse("catalog:tax_add"),
            {"code": "x", "name": "X", "rate": "150"},
            "tax-rate",
            "between 0 and 100",
        ),
    ]:
        answer = client.post(url, data)
        assert answer.status_code == 422, url
        page = answer.content.decode()
        assert f'id="{field_id}-error"' in page and message in page, (url, field_id)
        assert 'aria-invalid="true"' in page
    assert _counts() == before
    unit = Unit.objects.get()
    answer = client.post(reverse("catalog:unit_edit", args=[unit.pk]), {"name": ""})
    assert answer.status_code == 422 and Unit.objects.get().name == "Hora"


def test_the_page_in_spanish(client, manager):
    client.force_login(manager)
    page = client.get(SETTINGS, headers={"Accept-Language": "es"}).content.decode()
    assert "Configuración del catálogo" in page and "Tipos de cambio" in page


def test_a_rep_reads_the_page_but_every_write_is_403(client, manager, rep):
    banca = category_create(by=manager, name="Banca")
    unit = unit_create(by=manager, code="h", name="Hora")
    tax = tax_create(by=manager, code="iva21", name="IVA 21 %", rate="21")
    exchange_rate_set(by=manager, currency="USD", rate="0.9", valid_from=timezone.localdate())
    client.force_login(rep)
    page = client.get(SETTINGS)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Banca" in text and "IVA 21 %" in text and "USD" in text
    assert 'id="rate-form"' not in text and reverse("catalog:unit_edit", args=[unit.pk]) not in text
    before = _counts()
    edits = [
        reverse("catalog:category_edit", args=[banca.pk]),
        reverse("catalog:unit_edit", args=[unit.pk]),
        reverse("catalog:tax_edit", args=[tax.pk]),
    ]
    for url in edits:
        assert client.get(url).status_code == 403, url
    data = {"name": "X", "code": "x", "rate": "1", "currency": "GBP", "valid_from": "2026-01-01"}
    for url in edits + [
        reverse(f"catalog:{name}") for name in ("category_add", "unit_add", "tax_add", "rate_set")
    ]:
        assert client.post(url, data).status_code == 403, url
    assert _counts() == before
    assert Unit.objects.get().name == "Hora"


def test_the_admin_only_shows_the_reference_data(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    for model in (Category, Unit, Tax, ExchangeRate):
        model_admin = site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
