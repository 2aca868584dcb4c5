"""Nested groups in the segment builder, in Chromium and from the keyboard: a group added
takes the focus, its "all / any" switch answers the arrow keys, a NOT on the whole
group and a condition added inside it change the live count at once; the segment is
saved nested and drawn again as groups; the page passes axe and fits a 375 px phone."""

import pytest
from playwright.sync_api import expect

from panorama.marketing.models import Segment
from tests.browser.checks import sideways, violations
from tests.factories import UserFactory
from tests.marketing.conftest import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def customers(db):
    UserFactory(username="marta", role="marketing")
    person("Ana García", contacted_days=200)
    person("Luis Pérez")
    person("Bea Sola", card=True)
    person("Carlos Ruiz", contacted_days=30)
    person("Dora Vidal", account=False)


def test_a_nested_segment_is_built_and_counted(page, sign_in, live_server, customers):
    sign_in("marta")
    page.goto(f"{live_server.url}/marketing/segments/new/")
    count = page.locator("[data-segment-count]")
    page.locator("#v0").fill("ACC-NOM")
    expect(count).to_have_text("4")

    # "current account AND NOT (a card OR contacted in the last 90 days)"
    page.get_by_role("button", name="Add group").click()
    expect(page.locator("[data-group]")).to_have_count(1)
    expect(page.locator("#g1-and")).to_be_focused()
    page.keyboard.press("ArrowRight")  # the arrow keys switch "all" to "any"
    expect(page.locator("#g1-or")).to_be_checked()
    page.locator("#v2").fill("CARD-CR")
    expect(count).to_have_text("1")  # an account AND a card: Bea
    page.get_by_label("NOT this group").check()
    expect(count).to_have_text("3")
    page.get_by_role("button", name="Add a condition to group 1").click()
    expect(page.locator("#f3")).to_be_focused()
    page.locator("#f3").select_option("contacted")
    expect(page.locator("#o3")).to_have_value("within_days", timeout=15_000)
    page.locator("#v3").fill("90")
    expect(count).to_have_text("2")  # Ana and Luis
    inside = page.locator("[data-group] [data-condition]")
    expect(inside).to_have_count(2)

    page.locator("#segment-name").fill("Cuenta, sin tarjeta ni llamada")
    page.get_by_role("button", name="Save segment").click()
    expect(page.get_by_role("heading", name="Cuenta, sin tarjeta ni llamada")).to_be_visible()
    expect(count).to_have_text("2")
    expect(inside).to_have_count(2)
    rules = Segment.objects.get().rules
    assert rules["rules"][1]["op"] == "not" and rules["rules"][1]["rule"]["op"] == "or"

    for theme in ("light", "dark"):
        page.evaluate(f"document.documentElement.setAttribute('data-bs-theme', '{theme}')")
        assert violations(page) == []
    page.set_viewport_size({"width": 375, "height": 812})
    assert sideways(page) == ""
    page.get_by_role("button", name="Remove group 1").click()
    expect(page.locator("[data-group]")).to_have_count(0)
    expect(count).to_have_text("4")
