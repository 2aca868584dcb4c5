"""Products: who may write them, what is refused and why, what is announced."""

from decimal import Decimal

import pytest

from panorama.catalog.models import Product
from panorama.catalog.services.products import (
    exchange_rate_set,
    product_create,
    product_update,
    tax_create,
)
from panorama.core.exceptions import PermissionDenied, ValidationFailed

from .factories import CategoryFactory, ProductFactory, TaxFactory

pytestmark = pytest.mark.django_db


def test_a_manager_adds_a_product_and_it_is_announced(manager, emitted):
    tax = TaxFactory()
    with emitted() as events:
        product = product_create(
            by=manager, sku=" CTA-01 ", name="Cuenta Online", list_price="12.5", tax_id=tax.pk
        )

    assert (product.sku, product.list_price, product.currency) == (
        "CTA-01",
        Decimal("12.5"),
        "EUR",
    )
    assert events == [
        ("product.created", {"product_id": product.pk, "sku": "CTA-01", "by": manager.pk})
    ]


def test_a_sales_rep_reads_but_cannot_add_products(rep):
    with pytest.raises(PermissionDenied, match="Only sales managers and administrators"):
        product_create(by=rep, sku="X", name="X", list_price=1)
    assert Product.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"sku": "", "name": "A", "list_price": 1}, "sku"),
        ({"sku": "A", "name": " ", "list_price": 1}, "name"),
        ({"sku": "A", "name": "A", "list_price": -1}, "list_price"),
        ({"sku": "A", "name": "A", "list_price": "mucho"}, "list_price"),
        ({"sku": "A", "name": "A", "list_price": 1, "currency": "EURO"}, "currency"),
        ({"sku": "A", "name": "A", "list_price": 1, "kind": "gadget"}, "kind"),
        ({"sku": "A", "name": "A", "list_price": 1, "stock_on_hand": -3}, "stock_on_hand"),
        ({"sku": "A", "name": "A", "list_price": 1, "tax_id": 999999}, "tax_id"),
        ({"sku": "A" * 41, "name": "A", "list_price": 1}, "sku"),
        ({"sku": "A", "name": "A", "list_price": 1, "colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_its_field_and_saves_nothing(manager, fields, field):
    with pytest.raises(ValidationFailed) as refused:
        product_create(by=manager, **fields)
    assert refused.value.field == field
    assert Product.objects.count() == 0


def test_two_products_cannot_share_a_sku_whatever_its_case(manager):
    ProductFactory(sku="TPV-01")
    with pytest.raises(ValidationFailed, match="already has the SKU tpv-01") as refused:
        product_create(by=manager, sku="tpv-01", name="Otro", list_price=1)
    assert refused.value.field == "sku"


def test_an_update_says_which_fields_changed(manager, emitted):
    product = ProductFactory(list_price=Decimal("10.00"))
    category = CategoryFactory()
    with emitted() as events:
        product_update(
            product=product,
            by=manager,
            changes={
                "list_price": Decimal("11.00"),
                "category_id": category.pk,
                "name": product.name,
            },
        )
    product.refresh_from_db()
    assert product.list_price == Decimal("11.00") and product.category == category
    assert events == [
        (
            "product.updated",
            {"product_id": product.pk, "fields": ["category", "list_price"], "by": manager.pk},
        )
    ]


def test_an_update_that_changes_nothing_is_not_announced(manager, emitted):
    product = ProductFactory()
    with emitted() as events:
        product_update(product=product, by=manager, changes={"name": product.name})
    assert events == []


def test_a_refused_update_leaves_the_product_as_it_was(manager):
    product = ProductFactory(list_price=Decimal("10.00"), name="Antes")
    with pytest.raises(ValidationFailed):
        product_update(product=product, by=manager, changes={"name": "Después", "list_price": -1})
    product.refresh_from_db()
    assert (product.name, product.list_price) == ("Antes", Decimal("10.00"))


def test_taxes_are_percentages_between_0_and_100(manager):
    assert tax_create(by=manager, code="iva10", name="IVA 10 %", rate="10").rate == 10
    with pytest.raises(ValidationFailed) as refused:
        tax_create(by=manager, code="x", name="x", rate="121")
    assert refused.value.field == "rate"


def test_the_company_currency_has_no_rate_to_set(manager):
    with pytest.raises(ValidationFailed, match="EUR is the company currency") as refused:
        exchange_rate_set(by=manager, currency="eur", rate="1", valid_from="2026-01-01")
    assert refused.value.field == "currency"
