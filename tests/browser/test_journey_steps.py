"""The journey page in Chromium: steps are added, moved and removed through HTMX
without a page load, the list showing the new order each time; the page passes axe in
both themes and fits a 375 px phone."""

import pytest
from playwright.sync_api import expect

from panorama.marketing.models import Journey, MessageTemplate
from tests.browser.checks import sideways, violations
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def journey(db):
    UserFactory(username="marta", role="marketing")
    MessageTemplate.objects.create(name="Bienvenida", subject_es="Hola", body_es="Hola")
    return Journey.objects.create(
        name="Bienvenida a suscriptores", trigger="event", trigger_event="customer.created"
    )


def test_steps_are_added_moved_and_removed_in_place(page, sign_in, live_server, journey):
    sign_in("marta")
    page.goto(f"{live_server.url}/marketing/journeys/{journey.pk}/")
    loads = []
    page.on("load", lambda _p: loads.append(1))
    steps = page.locator("#journey-steps [data-step]")
    expect(steps).to_have_count(0)
    page.locator("#step-kind").select_option("wait")
    page.locator("#step-days").fill("3")
    page.get_by_role("button", name="Add step").click()
    expect(steps).to_have_count(1)
    expect(steps.first).to_contain_text("Wait 3 days")
    page.locator("#step-kind").select_option("send")
    page.locator("#step-template").select_option(label="Bienvenida")
    page.get_by_role("button", name="Add step").click()
    expect(steps).to_have_count(2)
    expect(steps.nth(1)).to_contain_text("Send “Bienvenida”")
    # The mail first, then the wait.
    steps.nth(1).get_by_role("button", name="Move up").click()
    expect(steps.first).to_contain_text("Send “Bienvenida”")
    expect(steps.nth(1)).to_contain_text("Wait 3 days")
    # A bad step is named in place, nothing added.
    page.locator("#step-kind").select_option("wait")
    page.locator("#step-days").fill("999")
    page.get_by_role("button", name="Add step").click()
    expect(page.locator("#journey-steps [data-error]")).to_contain_text("365")
    expect(steps).to_have_count(2)
    steps.nth(1).get_by_role("button", name="Remove").click()
    expect(steps).to_have_count(1)
    expect(steps.first).to_contain_text("Send “Bienvenida”")
    assert not loads  # all of it without a page load
    assert [s.kind for s in journey.steps.order_by("position")] == ["send"]
    for theme in ("light", "dark"):
        page.evaluate(f"document.documentElement.setAttribute('data-bs-theme', '{theme}')")
        assert violations(page) == []
    page.set_viewport_size({"width": 375, "height": 812})
    assert sideways(page) == ""
