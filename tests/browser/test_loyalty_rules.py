"""On a 375 px phone, a marketer edits an earning rule on the programme's page (a wrong
value is said next to its field and changes nothing), then retires it after confirming.
The page fits with the forms open and axe finds nothing."""

import pytest
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.loyalty.models import EarningRule
from panorama.loyalty.services.programmes import programme_save, rule_add
from tests.catalog.factories import ProductFactory
from tests.factories import UserFactory

from .checks import sideways, violations
from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def test_a_marketer_edits_and_retires_a_rule_on_a_phone(browser, live_server):
    UserFactory(username="marketing", role=Role.MARKETING)
    club = programme_save(by=None, name="Club Panorama")
    cafetera = ProductFactory(name="Cafetera")
    rule = rule_add(
        by=None,
        programme=club,
        kind="product",
        name="Cafetera",
        product_id=cafetera.pk,
        extra_points=10,
    )

    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(30_000)  # a shared, busy machine
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("marketing")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/customers/")

    page.goto(f"{live_server.url}/loyalty/{club.pk}/")
    item = page.locator(f"#rule-{rule.pk}")
    item.get_by_text("Edit Cafetera").click()
    form = page.locator(f"#rule-{rule.pk}-form")
    form.get_by_label("Extra points per unit").fill("0")
    form.get_by_role("button", name="Save the rule").click()
    form = page.locator(f"#rule-{rule.pk}-form")
    expect(form).to_contain_text("Give a whole number from 1")
    assert EarningRule.objects.get(pk=rule.pk).extra_points == 10
    assert sideways(page) == ""
    assert violations(page) == []

    form.get_by_label("Extra points per unit").fill("25")
    form.get_by_role("button", name="Save the rule").click()
    expect(page.locator("body")).to_contain_text("Rule saved")
    expect(page.locator(f"#rule-{rule.pk}")).to_contain_text("+25")

    item = page.locator(f"#rule-{rule.pk}")
    item.get_by_text("Retire Cafetera").click()
    expect(item).to_contain_text("the points it gave stay")
    assert sideways(page) == ""
    item.get_by_role("button", name="Yes, retire the rule").click()
    expect(page.locator("body")).to_contain_text("Rule retired")
    expect(page.locator(f"#rule-{rule.pk}")).to_contain_text("Retired")
    assert EarningRule.objects.get(pk=rule.pk).active is False
    assert sideways(page) == ""
    assert violations(page) == []
    context.close()
