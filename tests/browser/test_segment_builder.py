"""The segment builder in Chromium: the count follows every edit (a value typed, a
condition negated, added or removed) without a page load; a wrong value is named in
place; the page passes axe in both themes and fits a 375 px phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.checks import revealed, sideways, violations, watch_reveal
from tests.factories import UserFactory
from tests.marketing.conftest import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def customers(db):
    UserFactory(username="marta", role="marketing")
    person("Ana García", contacted_days=200)
    person("Luis Pérez")
    person("Bea Sola", card=True)
    person("Carlos Ruiz", contacted_days=30)
    person("Dora Vidal", account=False)


def test_the_live_count_follows_the_builder(page, sign_in, live_server, customers):
    sign_in("marta")
    page.goto(f"{live_server.url}/marketing/segments/new/")
    count = page.locator("[data-segment-count]")
    # The new segment starts with "Product held": type the current accounts.
    page.get_by_label("Value").fill("ACC-NOM")
    expect(count).to_have_text("4")
    loads = []
    page.on("load", lambda _p: loads.append(1))
    page.get_by_role("button", name="Add condition").click()
    conditions = page.locator("[data-condition]")
    expect(conditions).to_have_count(2)
    page.locator("#o1").select_option("has_not")
    page.locator("#v1").fill("CARD-CR")
    expect(count).to_have_text("3")  # Bea holds a card
    page.get_by_role("button", name="Add condition").click()
    page.locator("#f2").select_option("contacted")
    expect(page.locator("#o2")).to_have_value("within_days", timeout=15_000)
    page.locator("#o2").select_option("not_within_days")
    page.locator("#v2").fill("90")
    expect(count).to_have_text("2")  # Carlos was called a month ago: Ana and Luis
    page.get_by_label("NOT", exact=True).nth(1).check()
    expect(count).to_have_text("1")  # WITH a card, not contacted: Bea
    page.get_by_label("NOT", exact=True).nth(1).uncheck()
    expect(count).to_have_text("2")
    # A wrong value: the count gives way to the message naming the field.
    page.locator("#v2").fill("-4")
    expect(page.locator("[data-count-error]")).to_contain_text("Contacted")
    page.locator("#v2").fill("90")
    expect(count).to_have_text("2")
    page.get_by_role("button", name="Remove condition 3").click()
    expect(conditions).to_have_count(2)
    expect(count).to_have_text("3")
    assert not loads  # all of it without a page load
    page.locator("#segment-name").fill("Cuenta sin tarjeta")
    page.get_by_role("button", name="Save segment").click()
    expect(page.get_by_role("heading", name="Cuenta sin tarjeta")).to_be_visible()
    expect(count).to_have_text("3")
    for theme in ("light", "dark"):
        page.evaluate(f"document.documentElement.setAttribute('data-bs-theme', '{theme}')")
        assert violations(page) == []
    page.set_viewport_size({"width": 375, "height": 812})
    assert sideways(page) == ""


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "375"])
def test_a_slow_count_shows_the_skeleton_after_300_ms_without_moving_anything(
    page, sign_in, live_server, customers, viewport
):
    sign_in("marta")
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/marketing/segments/new/")
    count = page.locator("[data-segment-count]")
    region = page.locator("#segment-count")
    skeleton = region.locator(".pn-skeleton")
    page.get_by_label("Value").fill("ACC-NOM")
    expect(count).to_have_text("4")
    expect(skeleton).to_be_hidden()
    before = {
        "count": region.bounding_box(),
        "save": page.get_by_role("button", name="Save segment").bounding_box(),
    }
    held = []
    page.route("**/marketing/segments/count/", lambda route: held.append(route))
    watch_reveal(page, "#segment-count .pn-skeleton")
    page.get_by_label("Value").fill("CARD-CR")
    # Nothing while the answer is under 300 ms old; then the skeleton, over the count's
    # own box: neither the count nor the button under it moves.
    after_ms, hidden_frames = revealed(page)
    assert hidden_frames > 0 and after_ms >= 300
    delays = skeleton.evaluate("s => s.getAnimations().map(a => a.effect.getTiming().delay)")
    assert delays == [300]
    expect(skeleton).to_be_visible()
    assert skeleton.bounding_box() == region.bounding_box() == before["count"]
    assert page.get_by_role("button", name="Save segment").bounding_box() == before["save"]
    assert violations(page) == []
    assert held, "the count was asked for"
    held[0].continue_()
    expect(count).to_have_text("1")  # Bea holds the card
    expect(skeleton).to_be_hidden()
    assert region.bounding_box() == before["count"]
    assert violations(page) == []
    if viewport is PHONE:
        assert sideways(page) == ""
