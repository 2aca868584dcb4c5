# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""On a 375 px phone, a sales manager creates a promotion with a coupon from the
catalogue's pages, tries it on a product, and sees it applied and explained on a
quote's line; the pages fit the screen and axe finds nothing."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from panorama.catalog.models import Promotion
from tests.sales.quote_world import buyer, manager, world  # noqa: F401 (fixtures)

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_manager_creates_a_promotion_on_a_phone_and_a_quote_uses_it(
    browser, live_server, manager, buyer, world
):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(30_000)  # a shared, busy CI machine
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("jefa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/customers/")

    page.goto(f"{live_server.url}/catalog/promotions/")
    expect(page.get_by_role("link", name="Bienvenida")).to_be_visible()
    _fits(page)
    page.get_by_role("link", name="New promotion").click()
    page.locator("#id_code").fill("primavera")
    page.locator("#id_name").fill("Primavera")
    page.locator("#id_kind").select_option(label="Percentage off")
    page.locator("#id_value").fill("20")
    page.locator("#id_coupon_code").fill("bienvenida")  # taken by another promotion
    page.locator("#id_products").select_option(label="Router (RT)")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_coupon_code-error")).to_contain_text("Another promotion")
    _fits(page)
    assert [v["id"] for v in Axe().run(page).response["violations"]] == []
    assert not Promotion.objects.filter(code="primavera").exists()

    page.locator("#id_coupon_code").fill("primavera26")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/catalog/promotions/\d+/$"))
    expect(page.locator("#coupon-code")).to_have_text("PRIMAVERA26")
    _fits(page)

    # Try it: the pricing service applies the coupon and explains it.
    page.locator("#try-product").select_option(label="Router (RT)")
    # The customer is picked by name from the shared picker (keyboard: arrows, Enter).
    picker = page.get_by_role("combobox", name="Customer")
    picker.fill("Lucí")
    expect(page.get_by_role("option", name=re.compile("Lucía Gómez"))).to_be_visible()
    _fits(page)
    picker.press("ArrowDown")
    picker.press("Enter")
    expect(picker).to_have_value("Lucía Gómez")
    expect(page.locator("#try-it input[name=customer]")).to_have_value(str(buyer.pk))
    page.locator("#try-it").get_by_role("button", name="Price").click()
    expect(page.locator("#try-steps")).to_contain_text("Coupon PRIMAVERA26")
    _fits(page)
    assert [v["id"] for v in Axe().run(page).response["violations"]] == []

    # A quote with the coupon: its line explains the promotion.
    page.goto(f"{live_server.url}/customers/{buyer.pk}/?tab=sales")
    page.get_by_role("link", name="New quote").click()
    page.get_by_label("Coupon").fill("primavera26")
    page.get_by_role("button", name="Create the quote").click()
    expect(page).to_have_url(re.compile(r"/sales/quotes/\d+/$"))
    page.get_by_label("Product").select_option(label="Router (RT)")
    page.get_by_role("button", name="Add the line").click()
    expect(page.locator("#quote-lines")).to_contain_text("Router")
    page.get_by_text("How this price was made").first.click()
    expect(page.locator(".quote-steps").first).to_contain_text("Primavera")
    _fits(page)
    context.close()
