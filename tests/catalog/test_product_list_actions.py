"""The products list's export and edits in place: the export holds exactly the rows the
list shows with its filters (each cell made harmless for a spreadsheet), a name, a price
and the status are saved through ``product_update`` (its rules and messages in the
cell, nothing saved when it refuses), and who may not manage the catalogue gets 403."""

from decimal import Decimal

import pytest

from panorama.catalog.models import Product

from ..lists import cell_post, export_csv, export_queries, export_xlsx
from .factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_filtered_rows_as_shown(client, rep):
    ProductFactory(name="Router 5G", sku="RT-5G", kind="product", list_price=Decimal("99.50"))
    ProductFactory(name="=1+2 Instalación", sku="SV-INST", kind="service")
    ProductFactory(name="Antena vieja", sku="AN-OLD", kind="service", active=False)
    client.force_login(rep)  # everyone reads the catalogue, and may export it
    rows = export_csv(client, "products", "kind=service&active=on&cols=name,sku,active")
    assert rows == [["Name", "SKU", "Status"], ["'=1+2 Instalación", "SV-INST", "Active"]]
    book = export_xlsx(client, "products", "kind=product&cols=name,list_price")
    assert book[0] == ["Name", "List price"] and book[1][0] == "Router 5G"
    assert len(book) == 2


def test_the_export_costs_the_same_queries_for_one_row_or_many(client, rep):
    ProductFactory(name="Uno", sku="U-1")
    client.force_login(rep)
    query = "cols=name,sku,category,unit,tax,list_price"
    one = export_queries(client, "products", query)
    for n in range(12):
        ProductFactory(name=f"Más {n}", sku=f"M-{n}")
    assert export_queries(client, "products", query) == one


def test_a_manager_edits_name_price_and_status_in_place(client, manager, emitted):
    router = ProductFactory(name="Router", sku="RT-1", list_price=Decimal("10.00"))
    client.force_login(manager)
    editor = client.get(f"/ui/lists/products/{router.pk}/list_price/?edit=1").content.decode()
    assert 'name="value"' in editor and 'inputmode="decimal"' in editor
    with emitted() as events:
        assert cell_post(client, "products", router.pk, "name", "Router 5G").status_code == 200
        price = cell_post(client, "products", router.pk, "list_price", "1,234.50")
        assert price.status_code == 200 and "1,234.50" in price.content.decode()
        assert cell_post(client, "products", router.pk, "active", "off").status_code == 200
    router.refresh_from_db()
    assert (router.name, router.list_price, router.active) == (
        "Router 5G",
        Decimal("1234.50"),
        False,
    )
    assert [n for n, _p in events] == ["product.updated"] * 3


def test_a_refused_value_shows_the_service_s_message_and_saves_nothing(client, manager):
    router = ProductFactory(name="Router", sku="RT-1", list_price=Decimal("10.00"))
    client.force_login(manager)
    refused = cell_post(client, "products", router.pk, "list_price", "-5")
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'role="alert"' in html and "A price cannot be negative." in html
    empty = cell_post(client, "products", router.pk, "name", "  ")
    assert empty.status_code == 422 and "A product needs a name." in empty.content.decode()
    # Not a number, or one with more decimals than a price holds: the form field's message.
    for typed in ("ten", "1.234"):
        unparsed = cell_post(client, "products", router.pk, "list_price", typed)
        assert unparsed.status_code == 422 and 'role="alert"' in unparsed.content.decode()
    router.refresh_from_db()
    assert (router.name, router.list_price) == ("Router", Decimal("10.00"))


def test_who_may_not_manage_the_catalogue_gets_403_and_no_change(client, rep):
    router = ProductFactory(name="Router", sku="RT-1")
    client.force_login(rep)
    page = client.get("/catalog/")
    assert [a["key"] for a in page.context["list"].bulk.actions] == ["export_csv", "export_xlsx"]
    assert "data-pn-edit" not in page.content.decode()
    assert cell_post(client, "products", router.pk, "name", "Otro").status_code == 403
    assert client.get(f"/ui/lists/products/{router.pk}/name/?edit=1").status_code == 403
    assert Product.objects.get(pk=router.pk).name == "Router"
