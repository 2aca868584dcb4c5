"""The catalogue's products on the shared list (core/lists): every signed-in user sees
the whole catalogue, the filters are chips kept in the URL, and catalogue managers
activate or deactivate products in bulk through ``product_update`` (its refusals
reported row by row)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from panorama.catalog.models import Product
from panorama.core.lists.services import saved_view_create

from ..lists import list_bulk
from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _bulk(client, **data):
    return list_bulk(client, "products", **data)


def test_a_rep_sees_the_catalogue_and_a_kind_chip_narrows_it_in_the_url(client, rep):
    ProductFactory(name="Router 5G", sku="RT-5G", kind="product")
    ProductFactory(name="Instalación", sku="SV-INST", kind="service")
    ProductFactory(name="Antena vieja", sku="AN-OLD", active=False)
    client.force_login(rep)
    page = client.get(reverse("catalog:product_list")).content.decode()
    assert 'id="products-list"' in page
    assert "Router 5G" in page and "Instalación" in page and "Antena vieja" in page
    assert "Activate or deactivate" not in page  # no bulk action for a rep
    part = client.get(
        reverse("catalog:product_list") + "?kind=service",
        headers={"HX-Request": "true", "HX-Target": "products-list"},
    )
    html = part.content.decode()
    assert "Instalación" in html and "Router 5G" not in html
    assert part.headers["HX-Push-Url"] == "/catalog/?kind=service"
    # The chip names the filter, and a reload of that URL shows the same rows.
    assert "pn-chip" in html and "Service" in html
    reload = client.get("/catalog/?kind=service&active=off").content.decode()
    assert "Antena vieja" not in reload and "Instalación" not in reload
    assert "No results" in reload


def test_category_and_search_narrow_the_list(client, rep):
    routers = CategoryFactory(name="Routers")
    ProductFactory(name="Router 5G", sku="RT-5G", category=routers)
    ProductFactory(name="Router fibra", sku="RT-FB")
    client.force_login(rep)
    html = client.get(f"/catalog/?category={routers.pk}").content.decode()
    assert "Router 5G" in html and "Router fibra" not in html
    html = client.get("/catalog/?q=RT-F").content.decode()
    assert "Router fibra" in html and "Router 5G" not in html
    # A stale or forged filter value is ignored, never a 500.
    assert client.get("/catalog/?category=abc&kind=nope&sort=zzz").status_code == 200


def test_a_manager_deactivates_in_bulk_through_the_service_and_sees_refusals(
    client, manager, emitted
):
    router = ProductFactory(name="Router 5G", sku="RT-5G")
    antenna = ProductFactory(name="Antena", sku="AN-1")
    # A product saved around the service with a currency nobody knows: the service
    # refuses to save it until it is corrected, and says why.
    broken = ProductFactory(name="Cable raro", sku="CB-1", list_price=Decimal("3.00"))
    Product.objects.filter(pk=broken.pk).update(currency="ZZZ")
    client.force_login(manager)
    page = client.get(reverse("catalog:product_list")).content.decode()
    assert "Activate or deactivate" in page
    with emitted() as events:
        response = _bulk(
            client,
            action="active",
            **{"value-active": "off"},
            ids=[router.pk, antenna.pk, broken.pk],
        )
    report = response.context["list"].report
    assert report.done == 2
    assert [row for row, _why in report.refused] == ["Cable raro (CB-1)"]
    assert "ZZZ is not a currency code" in report.refused[0][1]
    html = response.content.decode()
    assert "2 rows changed." in html and "1 row refused:" in html
    assert set(Product.objects.filter(active=False).values_list("sku", flat=True)) == {
        "RT-5G",
        "AN-1",
    }
    assert sorted(p["product_id"] for n, p in events if n == "product.updated") == sorted(
        [router.pk, antenna.pk]
    )


def test_a_rep_cannot_run_the_bulk_action(client, rep):
    router = ProductFactory(name="Router 5G")
    client.force_login(rep)
    response = _bulk(client, action="active", **{"value-active": "off"}, ids=[router.pk])
    assert response.context["list"].bulk_error == "Choose an action."
    router.refresh_from_db()
    assert router.active is True


def test_a_saved_view_is_a_tab_that_draws_its_filters(client, rep):
    ProductFactory(name="Router 5G", kind="product")
    ProductFactory(name="Instalación", kind="service")
    view = saved_view_create(by=rep, list_name="products", name="Servicios", query="kind=service")
    client.force_login(rep)
    page = client.get(reverse("catalog:product_list")).content.decode()
    assert "Servicios" in page  # the tab
    html = client.get(f"/catalog/?view={view.pk}").content.decode()
    assert "Instalación" in html and "Router 5G" not in html
