# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""The new sales screens in a real browser, at 375 px and 1280 px, light and dark, with
axe: an administrator creates a scoring rule on *Lead settings* and changes the quote
approval threshold; a rep plans a call from a quote's page and finds it there."""

import re

import pytest
from playwright.sync_api import expect

from panorama.sales.models import Activity, SalesSettingChange, ScoringRule
from panorama.sales.services.quote import LineData, quote_create
from tests.sales.quote_world import buyer, world  # noqa: F401 (fixtures)

from .checks import sideways, violations
from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _signed_in(browser, live_server, username, viewport):
    context = browser.new_context(viewport=viewport, locale="en-GB")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/customers/")
    return context, page


def _checked(page, theme="light"):
    page.evaluate(f"localStorage.setItem('pn-theme', '{theme}')")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
    assert violations(page) == []
    assert sideways(page) == ""


def test_an_administrator_sets_lead_rules_and_the_threshold_on_a_phone(
    browser, live_server, admin_user
):
    context, page = _signed_in(browser, live_server, "admin", PHONE)
    page.goto(f"{live_server.url}/sales/settings/leads/")
    _checked(page, "dark")
    page.get_by_role("link", name="New scoring rule").click()
    expect(page).to_have_url(re.compile(r"/sales/settings/leads/scoring/new/$"))
    page.locator("#id_name").fill("Director")
    page.locator("#id_field").select_option("job_title")
    page.locator("#id_points").fill("10")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("needs a value")
    _checked(page)
    page.locator("#id_value").fill("director")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/sales/settings/leads/$"))
    expect(page.locator("#lead_scoring_rules-list")).to_contain_text("Director")
    assert ScoringRule.objects.get().points == 10

    page.goto(f"{live_server.url}/sales/settings/pipelines/")
    page.get_by_label("Approval needed above a manual discount of (%)").fill("12.5")
    page.get_by_label("Why (kept in the history)").fill("Year end")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-threshold]")).to_contain_text("12.5")
    _checked(page, "dark")
    assert SalesSettingChange.objects.get().value == "12.50"
    context.close()


def test_a_rep_plans_a_call_from_a_quote(browser, live_server, rep, buyer, world):
    quote = quote_create(
        by=rep, customer_id=buyer.pk, lines=[LineData(product_id=world["router"].pk)]
    )
    context, page = _signed_in(browser, live_server, "rep", {"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/sales/quotes/{quote.pk}/")
    page.locator("#quote-agenda").get_by_role("link", name="Plan").click()
    expect(page.locator("#id_quote")).to_have_value(str(quote.pk))
    page.locator("#id_subject").fill("Review the offer")
    page.get_by_role("button", name="Plan it").click()
    item = Activity.objects.get(subject="Review the offer")
    assert item.quote_id == quote.pk
    page.goto(f"{live_server.url}/sales/quotes/{quote.pk}/")
    expect(page.locator("#quote-agenda")).to_contain_text("Review the offer")
    page.set_viewport_size(PHONE)
    _checked(page)
    page.goto(f"{live_server.url}/sales/agenda/{item.pk}/")
    expect(page.locator("[data-quote]")).to_contain_text(quote.reference)
    _checked(page, "dark")
    context.close()
