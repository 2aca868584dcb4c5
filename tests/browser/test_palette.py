"""Ctrl+K from any page, in Chromium: pages from the sidebar, customers as in the
identify box, actions; arrows and Enter open, Esc closes and gives the focus back; no
accessibility violation; usable on a phone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.sales.services.opportunity import opportunity_create
from tests.factories import CustomerFactory, IdentityFactory, UserFactory, pipeline_with_stages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def agent(db):
    agent = UserFactory(username="agent", role=Role.SERVICE_AGENT)
    lucia = CustomerFactory(first_name="Lucía", last_name="Gómez Ruiz", owner=agent)
    IdentityFactory(customer=lucia, kind="phone", value="+34600112233", is_primary=True)
    CustomerFactory(first_name="Lucas", last_name="Prieto", owner=agent)
    pipeline_with_stages()
    opportunity_create(by=None, customer_id=lucia.pk, name="Renting de flota", owner=agent)
    return agent


def test_ctrl_k_finds_a_customer_and_opens_it_with_the_keyboard(page, sign_in, live_server, agent):
    sign_in("agent")
    page.set_viewport_size(WIDE)
    palette = page.get_by_role("dialog", name="Command palette")
    box = page.get_by_role("combobox", name="Go to a page, find a customer or run an action")
    expect(palette).to_be_hidden()

    page.get_by_role("link", name="Lucas Prieto").focus()
    page.keyboard.press("Control+k")
    expect(palette).to_be_visible()
    expect(box).to_be_focused()
    # With nothing typed: the sidebar's pages, then the actions.
    pages = palette.get_by_role("group", name="Go to")
    for name in ("Customers", "Import", "Duplicates"):
        expect(pages.get_by_role("option", name=name, exact=True)).to_be_visible()
    expect(palette.get_by_role("option", name="New customer")).to_be_visible()
    assert Axe().run(page).response["violations"] == []

    page.keyboard.press("Escape")
    expect(palette).to_be_hidden()
    expect(page.get_by_role("link", name="Lucas Prieto")).to_be_focused()  # focus restored

    page.keyboard.press("Control+k")
    box.fill("600 11 22 33")
    customers = palette.get_by_role("group", name="Customers")
    expect(customers.get_by_role("option")).to_have_count(1)
    expect(customers.get_by_role("option")).to_contain_text("Lucía Gómez Ruiz")
    expect(box).to_have_attribute("aria-activedescendant", re.compile(r"pn-palette-hit-1-1"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    expect(page.get_by_role("heading", name="Lucía Gómez Ruiz")).to_be_visible()

    # Records of the other apps too: an opportunity by its name, with its customer.
    page.keyboard.press("Control+k")
    box.fill("renting")
    opportunities = palette.get_by_role("group", name="Opportunities")
    expect(opportunities.get_by_role("option")).to_have_count(1)
    expect(opportunities.get_by_role("option")).to_contain_text("Renting de flota")
    expect(opportunities.get_by_role("option")).to_contain_text("Lucía Gómez Ruiz")
    assert Axe().run(page).response["violations"] == []
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/sales/opportunities/\d+/$"))
    expect(page.get_by_role("heading", name="Renting de flota")).to_be_visible()


def test_arrows_reach_a_page_and_an_action_from_any_page(page, sign_in, live_server, agent):
    sign_in("agent")
    page.set_viewport_size(WIDE)
    page.goto(f"{live_server.url}/customers/new/")
    page.keyboard.press("Control+k")
    box = page.get_by_role("combobox", name="Go to a page, find a customer or run an action")
    box.fill("dupl")
    option = page.get_by_role("option", name="Duplicates")
    expect(option).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/customers/duplicates/")

    page.keyboard.press("Control+k")
    box.fill("dark")
    dark = page.get_by_role("option", name="Dark theme")
    expect(dark).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(dark).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    expect(page.get_by_role("dialog", name="Command palette")).to_be_hidden()


def test_on_a_phone_the_palette_opens_from_its_button(page, sign_in, live_server, agent):
    sign_in("agent")
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Open the command palette (Ctrl+K)").click()
    box = page.get_by_role("combobox", name="Go to a page, find a customer or run an action")
    expect(box).to_be_focused()
    box.fill("luc")
    expect(page.get_by_role("option", name=re.compile("Lucas Prieto"))).to_be_visible()
    width = page.get_by_role("dialog", name="Command palette").evaluate(
        "d => d.getBoundingClientRect().right"
    )
    assert width <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("option", name=re.compile("Lucas Prieto")).click()
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))

    page.get_by_role("button", name="Open the command palette (Ctrl+K)").click()
    box.fill("rent")
    page.get_by_role("option", name=re.compile("Renting de flota")).click()
    expect(page).to_have_url(re.compile(r"/sales/opportunities/\d+/$"))
