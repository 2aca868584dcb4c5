"""Deleting products: one nothing uses goes (with its own options and opening stock), one
a quote, an order, a price list, a bundle or a customer's holding uses is refused naming
what uses it, from the product page, the API and the list's bulk bar alike; the bulk
delete reports each refused row with why while the others go, and its undo puts the
deleted ones back as they were. Who may not manage the catalogue gets 403."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from panorama.catalog.models import OptionGroup, Product, ProductOption, StockMovement
from panorama.catalog.services.options import option_create, option_group_create
from panorama.catalog.services.price_lists import price_list_create, price_list_item_set
from panorama.catalog.services.product_delete import product_delete, products_delete
from panorama.catalog.services.products import product_create
from panorama.catalog.services.stock import stock_receive
from panorama.core.exceptions import Conflict, PermissionDenied
from panorama.sales.services.quote import LineData, quote_create
from tests.factories import CustomerFactory, HoldingFactory

from ..lists import list_bulk
from .factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(manager, team):
    """A mistaken product with options and opening stock, and four products in use."""
    spare = product_create(
        by=manager,
        sku="AN-1",
        name="Antena",
        list_price=Decimal("30.00"),
        track_stock=True,
        stock_on_hand=4,
    )
    group = option_group_create(by=manager, product=spare, code="color", name="Color")
    option_create(by=manager, product=spare, code="negro", name="Negro", group=group)
    quoted = ProductFactory(sku="RT", name="Router", list_price=Decimal("100.00"))
    customer = CustomerFactory(owner=manager, team=team)
    quote_create(by=manager, customer_id=customer.pk, lines=[LineData(product_id=quoted.pk)])
    priced = ProductFactory(sku="LIC", name="Licencia")
    pymes = price_list_create(by=manager, code="pymes", name="Pymes")
    price_list_item_set(by=manager, price_list=pymes, product=priced, price="90.00")
    part = ProductFactory(sku="CAB", name="Cable")
    pack = ProductFactory(sku="PK", name="Pack")
    option_create(by=manager, product=pack, code="cable", name="Cable", component=part)
    held = ProductFactory(sku="CTA-NOMINA", name="Cuenta nómina")
    HoldingFactory(customer=customer, product_code="CTA-NOMINA")
    moved = product_create(by=manager, sku="SW", name="Switch", list_price="50", track_stock=True)
    stock_receive(by=manager, product_id=moved.pk, quantity=3, note="")
    return {
        "spare": spare,
        "quoted": quoted,
        "priced": priced,
        "part": part,
        "held": held,
        "moved": moved,
    }


def test_a_product_in_use_is_refused_naming_what_uses_it(manager, shop):
    for key, use in [
        ("quoted", "1 quote"),
        ("priced", "1 price list"),
        ("part", "1 bundle (as a component)"),
        ("held", "1 customer holding"),
        ("moved", "1 stock movement"),  # a receipt: its opening stock is its own
    ]:
        with pytest.raises(Conflict) as refused:
            product_delete(by=manager, product=shop[key])
        assert f"Used by {use}: it cannot be deleted. Archive it" in str(refused.value.message)
        assert Product.objects.filter(pk=shop[key].pk).exists()


def test_a_product_nothing_uses_goes_with_its_options_and_opening_stock(manager, shop, emitted):
    spare = shop["spare"]
    with emitted() as events:
        product_delete(by=manager, product=spare)
    assert not Product.objects.filter(pk=spare.pk).exists()
    assert not OptionGroup.objects.filter(product_id=spare.pk).exists()
    assert not StockMovement.objects.filter(product_id=spare.pk).exists()
    assert events == [
        ("product.deleted", {"product_id": spare.pk, "sku": "AN-1", "by": manager.pk})
    ]


def test_who_may_not_manage_the_catalogue_deletes_nothing(rep, manager, shop, client, api_as):
    with pytest.raises(PermissionDenied):
        product_delete(by=rep, product=shop["spare"])
    client.force_login(rep)
    assert client.post(f"/catalog/products/{shop['spare'].pk}/delete/").status_code == 403
    assert api_as(rep).delete(f"/catalog/products/{shop['spare'].pk}").status_code == 403
    refused = list_bulk(
        client, "products", action="delete", **{"value-delete": "yes"}, ids=[shop["spare"].pk]
    )
    assert "Choose an action." in refused.content.decode()
    assert Product.objects.filter(pk=shop["spare"].pk).exists()


def test_the_api_deletes_or_answers_409_with_what_uses_it(api_as, manager, shop):
    api = api_as(manager)
    used = api.delete(f"/catalog/products/{shop['priced'].pk}")
    assert used.status_code == 409
    assert "Used by 1 price list" in used.json()["detail"]
    assert api.delete(f"/catalog/products/{shop['spare'].pk}").status_code == 204
    assert api.delete(f"/catalog/products/{shop['spare'].pk}").status_code == 404
    operation = api.get("/openapi.json").json()["paths"]["/api/v1/catalog/products/{product_id}"]
    assert "409" in operation["delete"]["description"]


def test_the_product_page_deletes_after_its_confirmation_or_says_why_not(client, manager, shop):
    client.force_login(manager)
    page = client.get(f"/catalog/products/{shop['spare'].pk}/").content.decode()
    assert 'id="product-delete"' in page and "data-confirm=" in page
    kept = client.post(f"/catalog/products/{shop['quoted'].pk}/delete/", follow=True)
    assert "Used by 1 quote: it cannot be deleted." in kept.content.decode()
    gone = client.post(f"/catalog/products/{shop['spare'].pk}/delete/", follow=True)
    assert gone.redirect_chain[-1][0] == "/catalog/"
    assert "“Antena” deleted." in gone.content.decode()


def test_a_bulk_delete_reports_each_refused_row_and_its_undo_puts_the_others_back(
    client, manager, shop
):
    extra = ProductFactory(sku="EX-1", name="Extra")
    client.force_login(manager)
    chosen = [shop["spare"].pk, shop["quoted"].pk, shop["held"].pk, extra.pk]
    unconfirmed = list_bulk(client, "products", action="delete", ids=chosen)
    assert "Choose “Delete them for good”" in unconfirmed.content.decode()
    assert Product.objects.filter(pk__in=chosen).count() == 4

    response = list_bulk(client, "products", action="delete", **{"value-delete": "yes"}, ids=chosen)
    job = response.context["list"].bulk_job
    assert (job.status, job.done) == ("done", 2)
    assert sorted(job.refused) == [
        ["Cuenta nómina (CTA-NOMINA)", "Used by 1 customer holding: it cannot be deleted. "
         "Archive it instead to stop selling it."],
        ["Router (RT)", "Used by 1 quote: it cannot be deleted. "
         "Archive it instead to stop selling it."],
    ]  # fmt: skip
    html = response.content.decode()
    assert "Router (RT): Used by 1 quote" in html and f"bulk-job-{job.pk}-undo" in html
    assert set(Product.objects.filter(pk__in=chosen).values_list("sku", flat=True)) == {
        "RT",
        "CTA-NOMINA",
    }

    undone = client.post(f"/ui/lists/bulk-jobs/{job.pk}/undo/", headers={"HX-Request": "true"})
    undo = undone.context["list"].bulk_job
    assert (undo.status, undo.done, undo.refused) == ("done", 2, [])
    spare = Product.objects.get(pk=shop["spare"].pk)
    assert (spare.name, spare.stock_on_hand, spare.list_price) == ("Antena", 4, Decimal("30.00"))
    assert ProductOption.objects.filter(product=spare, group__code="color").count() == 1
    assert StockMovement.objects.filter(product=spare, kind="opening").count() == 1
    assert Product.objects.filter(pk=extra.pk).exists()
    again = client.post(f"/ui/lists/bulk-jobs/{job.pk}/undo/", headers={"HX-Request": "true"})
    assert "already undone" in again.content.decode()


def test_an_undo_leaves_a_product_whose_sku_was_taken_since_with_why(client, manager, shop):
    client.force_login(manager)
    response = list_bulk(
        client, "products", action="delete", **{"value-delete": "yes"}, ids=[shop["spare"].pk]
    )
    job = response.context["list"].bulk_job
    ProductFactory(sku="an-1", name="Otra antena")
    undone = client.post(f"/ui/lists/bulk-jobs/{job.pk}/undo/", headers={"HX-Request": "true"})
    undo = undone.context["list"].bulk_job
    assert undo.done == 0
    assert undo.refused == [
        ["Antena (AN-1)", "Another product has its SKU AN-1 since: not put back."]
    ]


def test_deleting_a_chunk_costs_the_same_queries_for_two_products_or_twenty(manager, shop):
    def cost(n: int) -> int:
        products = [ProductFactory(sku=f"Q{n}-{i}", name=f"Q {i}") for i in range(n)]
        products.append(shop["quoted"])
        with CaptureQueriesContext(connection) as queries:
            refused, kept = products_delete(by=manager, products=products)
        assert list(refused) == [shop["quoted"].pk] and len(kept) == n
        return len(queries)

    assert cost(2) == cost(20)


def test_the_refusal_reads_in_the_user_s_language(manager, shop):
    with translation.override("es"), pytest.raises(Conflict) as refused:
        product_delete(by=manager, product=shop["quoted"])
    assert str(refused.value.message) == (
        "Está en uso en 1 presupuesto: no se puede eliminar. Archívelo para dejar de venderlo."
    )
