"""The catalogue's screens: the list, a product, and creating and editing one."""

from decimal import Decimal

import pytest
from django.urls import reverse

from panorama.catalog.models import Product

from .factories import ProductFactory, TaxFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_products_with_their_price_in_the_readers_language(
    client, rep, django_assert_max_num_queries
):
    for n in range(10):
        ProductFactory(name=f"Seguro {n}", list_price=Decimal("1234.50"))
    client.force_login(rep)
    # session, user, saved views (tabs), products page, the category filter's choices,
    # the user's permissions (two)
    with django_assert_max_num_queries(7):
        page = client.get(reverse("catalog:product_list"), headers={"Accept-Language": "es"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Seguro 9" in html and "1234,50\xa0€" in html.replace(".", "")
    assert 'aria-current="page"' in html  # the sidebar's Catalogue entry
    assert reverse("catalog:product_create") not in html  # a rep cannot add products


def test_the_list_filters_with_htmx(client, rep):
    ProductFactory(name="Cuenta Online")
    ProductFactory(name="Tarjeta Oro")
    client.force_login(rep)
    part = client.get(
        reverse("catalog:product_list") + "?q=tarj",
        headers={"HX-Request": "true", "HX-Target": "products-list"},
    )
    html = part.content.decode()
    assert "Tarjeta Oro" in html and "Cuenta Online" not in html and "<html" not in html


def test_a_product_page_shows_when_it_can_be_delivered(client, rep):
    product = ProductFactory(name="Router 5G", track_stock=True, stock_on_hand=0, lead_time_days=4)
    client.force_login(rep)
    html = client.get(reverse("catalog:product_detail", args=[product.pk])).content.decode()
    assert "Router 5G" in html and 'id="expected-date"' in html
    assert client.get(reverse("catalog:product_detail", args=[999999])).status_code == 404


def test_a_manager_creates_a_product_from_the_form(client, manager):
    tax = TaxFactory()
    client.force_login(manager)
    answer = client.post(
        reverse("catalog:product_create"),
        {
            "sku": "ALR-1",
            "name": "Alarma",
            "kind": "product",
            "tax_id": tax.pk,
            "list_price": "19,90",
            "currency": "",
            "lead_time_days": 0,
            "stock_on_hand": 0,
            "stock_reserved": 0,
            "active": "on",
        },
        headers={"Accept-Language": "es"},
    )
    product = Product.objects.get(sku="ALR-1")
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "catalog:product_detail", args=[product.pk]
    )
    assert (product.list_price, product.currency, product.active) == (Decimal("19.90"), "EUR", True)


def test_a_refused_form_shows_the_error_beside_the_field(client, manager):
    ProductFactory(sku="DUP")
    client.force_login(manager)
    answer = client.post(
        reverse("catalog:product_create"),
        {
            "sku": "DUP",
            "name": "Otro",
            "kind": "product",
            "list_price": "1",
            "lead_time_days": 0,
            "stock_on_hand": 0,
            "stock_reserved": 0,
        },
    )
    assert answer.status_code == 422
    assert "Another product already has the SKU DUP." in answer.content.decode()
    assert Product.objects.count() == 1


def test_a_manager_edits_a_product(client, manager):
    product = ProductFactory(name="Viejo", list_price=Decimal("10.00"))
    client.force_login(manager)
    url = reverse("catalog:product_edit", args=[product.pk])
    assert "Viejo" in client.get(url).content.decode()
    data = {
        "sku": product.sku,
        "name": "Nuevo",
        "kind": "service",
        "list_price": "12.00",
        "currency": "EUR",
        "lead_time_days": 1,
        "stock_on_hand": 0,
        "stock_reserved": 0,
        "tax_id": product.tax_id,
        "unit_id": product.unit_id,
    }
    assert client.post(url, data).status_code == 302
    product.refresh_from_db()
    assert (product.name, product.kind, product.active) == ("Nuevo", "service", False)


def test_a_sales_rep_cannot_open_the_product_form(client, rep):
    client.force_login(rep)
    answer = client.get(reverse("catalog:product_create"))
    assert answer.status_code == 403
    assert "Only sales managers and administrators" in answer.content.decode()


def test_the_configurator_screen_explains_refusals_as_you_tick(client, rep):
    from .configurable import fibre_pack

    pack = fibre_pack()
    client.force_login(rep)
    detail = client.get(reverse("catalog:product_detail", args=[pack.pk])).content.decode()
    url = reverse("catalog:product_configure", args=[pack.pk])
    assert url in detail and "IP fija requires Fibra 1 Gb" in detail

    page = client.get(url).content.decode()
    assert 'name="options" value="fibra1g"' in page and "Velocidad" in page

    part = client.post(
        url, {"options": ["fibra300", "movil_basico", "ip_fija"]}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "This configuration is not valid" in part
    assert "requires “Fibra 1 Gb”" in part.replace("&ldquo;", "“").replace("&rdquo;", "”")

    ok = client.post(
        url, {"options": ["fibra1g", "movil_basico"]}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'id="valid"' in ok and "€75.00" in ok
    # Priced by the pricing service: 75.00 + IVA 21 % (15.75) = 90.75.
    assert 'id="priced"' in ok and "total €90.75" in ok
