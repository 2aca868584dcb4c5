"""Marketing's campaigns, call lists and static lists on the shared list, in Chromium,
wide and on a phone (375 px), with axe: a chip chosen from the filter menu narrows the
rows and stays in the address bar; Cancel, Close the call list and Update from its
segment go through the bulk bar with their report; no page scrolls sideways."""

import pytest
from playwright.sync_api import expect

from panorama.marketing.models import Campaign, Recipient
from panorama.marketing.services.segments import list_create
from tests.browser.checks import sideways, violations
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page, width):
    assert violations(page) == []
    assert sideways(page) == "", page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _apply(page, action):
    bar = page.get_by_role("form", name="Bulk actions")
    bar.get_by_label("Action").select_option(label=action)
    bar.get_by_role("button", name="Apply").click()


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 800}, {"width": 375, "height": 812}],
    ids=["wide", "phone"],
)
def test_the_marketing_lists_filter_act_in_bulk_and_fit_a_phone(
    page, sign_in, live_server, viewport
):
    page.set_default_timeout(60_000)  # the machine is shared: generous, nothing is timed
    page.set_default_navigation_timeout(90_000)
    marta = UserFactory(username="marta", role="marketing")
    Campaign.objects.create(name="Primavera", channel="email", owner=marta)
    Campaign.objects.create(name="Verano", channel="sms", status="sent")
    calls = Campaign.objects.create(name="Llamadas tarjeta", channel="call_list", status="sending")
    Recipient.objects.create(campaign=calls, customer=CustomerFactory(), group="target")
    list_create(by=marta, name="Feria de abril")
    width = viewport["width"]
    page.set_viewport_size(viewport)
    sign_in("marta")

    page.goto(f"{live_server.url}/marketing/campaigns/")
    listing = page.locator("#campaigns-list")
    expect(listing).to_contain_text("Verano")
    _check(page, width)
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("combobox", name="Channel").select_option("email")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="Remove filter Channel: E-mail")).to_be_visible()
    expect(listing).not_to_contain_text("Verano")
    assert page.url.endswith("/marketing/campaigns/?channel=email")
    page.get_by_role("checkbox", name="Select Primavera").check()
    _apply(page, "Cancel")
    expect(page.get_by_role("status").filter(has_text="Cancel")).to_contain_text("1 row changed")
    expect(listing).to_contain_text("Cancelled")
    _check(page, width)

    page.goto(f"{live_server.url}/marketing/calls/")
    rows = page.locator("#call-lists-list")
    expect(rows).to_contain_text("Llamadas tarjeta")
    _check(page, width)
    page.get_by_role("checkbox", name="Select Llamadas tarjeta").check()
    _apply(page, "Close the call list")
    expect(page.get_by_role("status").filter(has_text="Close")).to_contain_text("1 row changed")
    expect(rows).to_contain_text("No call list is open")

    page.goto(f"{live_server.url}/marketing/lists/")
    expect(page.locator("#static-lists-list")).to_contain_text("Feria de abril")
    _check(page, width)
    page.get_by_role("checkbox", name="Select Feria de abril").check()
    _apply(page, "Update from its segment")
    expect(page.get_by_role("status").filter(has_text="Update")).to_contain_text(
        "This list was made by hand: it has no segment."
    )
    _check(page, width)
