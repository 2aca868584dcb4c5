"""The segment builder in Chromium: the count follows every edit (a value typed, a
condition negated, added or removed) without a page load; a wrong value is named in
place; the page passes axe in both themes and fits a 375 px phone."""

import contextlib

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
    # >= 299: a frame's timestamp may read up to a millisecond before the moment the
    # request started (seen once as 299.0000000002 under a load average of 15).
    assert hidden_frames > 0 and after_ms >= 299
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


def _hold_first(page, url: str) -> list:
    """Hold the first request to `url` (the server answers it when the test lets it go);
    later ones go straight through to the server."""
    held: list = []

    def handle(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(url, handle)
    return held


def _wait_held(page, held: list) -> None:
    for _ in range(250):
        if held:
            return
        page.wait_for_timeout(20)
    raise AssertionError("the redraw was not asked for")


def test_a_negation_ticked_while_the_builder_redraws_is_kept_and_counted(
    page, sign_in, live_server, customers
):
    sign_in("marta")
    page.goto(f"{live_server.url}/marketing/segments/new/")
    count = page.locator("[data-segment-count]")
    page.locator("#v0").fill("ACC-NOM")
    expect(count).to_have_text("4")
    held = _hold_first(page, "**/marketing/segments/builder/")
    page.get_by_role("button", name="Add condition").click()
    _wait_held(page, held)
    # The server has not answered yet: the fields stay usable, the user goes on.
    page.locator("#n0").check()
    page.locator("#v0").fill("ACC-NOM, CARD-CR")
    held[0].continue_()  # the slow answer arrives, drawn from what the screen held before
    expect(page.locator("[data-condition]")).to_have_count(2)
    expect(page.locator("#n0")).to_be_checked()
    expect(page.locator("#v0")).to_have_value("ACC-NOM, CARD-CR")
    # The count of what is on the screen: the new condition still wants its value.
    expect(page.locator("[data-count-error]")).to_contain_text("Product held")
    page.locator("#o1").select_option("has_not")
    page.locator("#v1").fill("CARD-CR")
    # NOT (an account or a card), and no card: Dora, who has neither.
    expect(count).to_have_text("1")
    page.locator("#n0").uncheck()
    expect(count).to_have_text("3")  # an account or a card, and no card: Ana, Luis, Carlos
    assert violations(page) == []


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "375"])
def test_an_operator_chosen_while_a_condition_is_added_is_kept_with_the_new_condition(
    page, sign_in, live_server, customers, viewport
):
    sign_in("marta")
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/marketing/segments/new/")
    count = page.locator("[data-segment-count]")
    page.locator("#v0").fill("ACC-NOM")
    expect(count).to_have_text("4")
    held = _hold_first(page, "**/marketing/segments/builder/")
    page.get_by_role("button", name="Add condition").click()
    _wait_held(page, held)
    page.locator("#o0").select_option("has_not")  # a newer redraw replaces the held one
    expect(page.locator("[data-condition]")).to_have_count(2)  # the condition still added
    expect(page.locator("#o0")).to_have_value("has_not")
    expect(page.locator("[data-count-error]")).to_contain_text("Product held")  # the new one
    page.locator("#o1").select_option("has_not")
    page.locator("#v1").fill("CARD-CR")
    expect(count).to_have_text("1")  # no current account and no card: Dora
    # The replaced request answered late changes nothing (Chromium may have dropped it).
    with contextlib.suppress(Exception):
        held[0].continue_()
    page.wait_for_timeout(300)
    expect(page.locator("[data-condition]")).to_have_count(2)
    expect(page.locator("#o0")).to_have_value("has_not")
    expect(count).to_have_text("1")
    assert violations(page) == []
    if viewport is PHONE:
        assert sideways(page) == ""
