"""Deleting products from the catalogue's list on a phone (375 px), in Chromium: three
products selected, one of them in a quote; *Delete* once *Delete them for good* is
chosen; the report says two went and names the one refused with what uses it; *Undo*
puts the two back. No sideways scroll, axe clean with the report shown."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from panorama.catalog.models import Product
from panorama.sales.services.quote import LineData, quote_create
from tests.browser.checks import sideways, violations
from tests.catalog.factories import ProductFactory
from tests.factories import AdminFactory, CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def test_delete_some_products_one_in_use_then_undo(page, sign_in, live_server):
    boss = AdminFactory(username="boss")
    ProductFactory(name="Antena", sku="AN-1")
    ProductFactory(name="Cable", sku="CB-1")
    router = ProductFactory(name="Router", sku="RT-1", list_price=Decimal("100.00"))
    customer = CustomerFactory(first_name="Lucía", last_name="Gómez", owner=boss)
    quote_create(by=boss, customer_id=customer.pk, lines=[LineData(product_id=router.pk)])
    page.set_viewport_size(PHONE)
    sign_in("boss")
    page.goto(f"{live_server.url}/catalog/")
    for name in ("Antena", "Cable", "Router"):
        page.get_by_role("checkbox", name=f"Select {name}").check()
    bar = page.get_by_role("form", name="Bulk actions")
    bar.get_by_label("Action").select_option(label="Delete")
    bar.get_by_label("Delete").select_option(label="Delete them for good")
    bar.get_by_role("button", name="Apply").click()

    report = page.get_by_role("status").filter(has_text="Delete:")
    expect(report).to_contain_text("2 rows deleted. 1 row refused:")
    expect(report).to_contain_text(
        "Router (RT-1): Used by 1 quote: it cannot be deleted. Archive it instead"
    )
    assert list(Product.objects.values_list("sku", flat=True)) == ["RT-1"]
    expect(page.locator("#products-list")).not_to_contain_text("Antena")
    assert violations(page) == []
    assert sideways(page) == ""

    report.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status").filter(has_text="Undo:")).to_contain_text("2 rows changed.")
    assert set(Product.objects.values_list("sku", flat=True)) == {"AN-1", "CB-1", "RT-1"}
    expect(page.get_by_role("button", name="Undo")).to_have_count(0)
