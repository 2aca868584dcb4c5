"""Skeletons of the regions a form redraws, in Chromium with the server's answer held
(the server stays real: the test lets the request through when it has looked): the
financing schedule, the report's definition, the knowledge-base preview and the message
template's preview, at 1280 and 375 px. Nothing is drawn while the answer is under
300 ms old; then the skeleton, over the region's own box: nothing on the page moves
(layout shift < 0.01, counting the shifts right after the click too), axe finds
nothing, and the answer replaces it."""

import pytest
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.catalog.models import FinancingPlan
from tests.browser.checks import revealed, sideways, violations, watch_reveal
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
VIEWPORTS = pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "375"])

# Every layout shift from now on, whether or not it followed the user's input.
_SHIFTS = """() => {
  window.pnShift = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) window.pnShift += entry.value;
  }).observe({type: 'layout-shift'});
}"""


# An element's box in the page (not the window: a click may scroll the window).
_BOX = """(e) => {
  const r = e.getBoundingClientRect();
  return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height};
}"""


def _box(locator) -> dict:
    return locator.evaluate(_BOX)


@pytest.fixture
def admin(db):
    return UserFactory(username="ana", role=Role.ADMIN)


def _hold(page, match) -> list:
    """Hold the first request ``match`` finds; later ones go straight to the server."""
    held: list = []

    def handle(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(match, handle)
    return held


def _held_skeleton(page, *, host: str, match, act, below: str, viewport) -> None:
    """Hold the request ``act`` makes (``match``), then check the skeleton of ``host``:
    not before 300 ms, then over ``host``'s box, ``below`` (an element under it) unmoved,
    no layout shift, axe clean; then let the answer through."""
    region = page.locator(host)
    skeleton = region.locator(".pn-skeleton").first
    expect(skeleton).to_be_hidden()
    page.evaluate(_SHIFTS)
    before = {"region": _box(region), "below": _box(page.locator(below))}
    held = _hold(page, match)
    watch_reveal(page, f"{host} .pn-skeleton")
    act()
    after_ms, hidden_frames = revealed(page)
    # >= 299: a frame's timestamp may read up to a millisecond before the request's start.
    assert hidden_frames > 0 and after_ms >= 299, (after_ms, hidden_frames)
    delays = skeleton.evaluate("s => s.getAnimations().map(a => a.effect.getTiming().delay)")
    assert delays == [300]
    expect(skeleton).to_be_visible()
    assert _box(skeleton) == _box(region) == before["region"]
    assert _box(page.locator(below)) == before["below"]
    page.wait_for_timeout(200)
    assert page.evaluate("window.pnShift") < 0.01
    assert violations(page) == []
    assert held, "the request was sent"
    held[0].continue_()
    expect(skeleton).to_be_hidden()
    if viewport is PHONE:
        assert sideways(page) == ""


@VIEWPORTS
def test_the_financing_schedule(page, sign_in, live_server, admin, viewport):
    FinancingPlan.objects.create(code="12m", name="12 meses", instalments=12, annual_rate=5)
    sign_in("ana")
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/catalog/financing/")
    page.get_by_label("Amount").fill("1200")
    page.get_by_role("button", name="Compute").click()
    expect(page.locator("#instalment")).to_be_visible()
    first = page.locator("#instalment").inner_text()
    page.get_by_label("Amount").fill("2400")
    _held_skeleton(
        page,
        host="#financing-calc .pn-skeleton-host",
        match=lambda url: "/catalog/financing/?" in url,
        act=lambda: page.get_by_role("button", name="Compute").click(),
        below="#financing-calc form",
        viewport=viewport,
    )
    expect(page.locator("#instalment")).not_to_have_text(first)


@VIEWPORTS
def test_the_report_definition(page, sign_in, live_server, admin, viewport):
    sign_in("ana")
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/analytics/reports/new/")
    source = page.locator("#report-source")
    value = source.locator("option").nth(1).get_attribute("value")
    _held_skeleton(
        page,
        host="#report-definition",
        match=lambda url: "/analytics/reports/new/?source=" in url,
        act=lambda: source.select_option(value),
        below="#report-builder form",
        viewport=viewport,
    )
    expect(page.locator("#report-definition")).not_to_have_class("pn-skeleton-reserve")


@VIEWPORTS
def test_the_knowledge_base_preview(page, sign_in, live_server, admin, viewport):
    sign_in("ana")
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/service/kb/new/")
    page.get_by_label("Title").fill("Devoluciones")
    page.locator("textarea[name=body]").fill("**Treinta días** para devolver.")
    _held_skeleton(
        page,
        host="#kb-preview-region",
        match="**/service/kb/preview/",
        act=lambda: page.get_by_role("button", name="Preview").click(),
        below="#kb-preview-title",
        viewport=viewport,
    )
    expect(page.locator("#kb-preview strong")).to_have_text("Treinta días")


@VIEWPORTS
def test_the_message_template_preview(page, sign_in, live_server, admin, viewport):
    from panorama.marketing.models import MessageTemplate

    template = MessageTemplate.objects.create(
        name="Bienvenida", subject_es="Hola", body_es="Hola {{ first_name }}"
    )
    lucia = CustomerFactory(first_name="Lucía", language="es")
    sign_in("ana")
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/marketing/templates/{template.pk}/")
    page.get_by_label("Customer number").fill(str(lucia.pk))
    region = page.locator("#template-preview-region")
    empty = _box(region)
    _held_skeleton(
        page,
        host="#template-preview-region",
        match=f"**/marketing/templates/{template.pk}/preview/",
        act=lambda: page.get_by_role("button", name="Preview", exact=True).click(),
        below="#preview-title",
        viewport=viewport,
    )
    expect(page.locator("#template-preview")).to_contain_text("Hola Lucía")
    # The region kept the room of a short preview: its answer moves nothing under it.
    assert _box(region) == empty
