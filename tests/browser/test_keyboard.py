"""Issue 14, points 9 and 11, as a keyboard user and a thumb meet them: the first Tab
shows "Skip to content", which moves the focus into the page; the focused control is
visibly marked; Tab never leaves the shortcuts dialog for the page behind it, and Esc
closes it; and at
375 px every tap target is at least 24 × 24 px or far enough from the next (axe's
WCAG 2.2 "target-size" rule) on the main screens."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from panorama.accounts.models import Role
from tests.factories import CustomerFactory, TeamFactory, UserFactory, pipeline_with_stages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_FOCUS_MARK = """() => {
  const style = getComputedStyle(document.activeElement);
  return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== 'none';
}"""


@pytest.fixture
def rep(db):
    team = TeamFactory(name="Norte")
    user = UserFactory(username="rep", first_name="Pablo", role=Role.SALES_REP, teams=[team])
    for n in range(8):
        CustomerFactory(first_name="Ana", last_name=f"García {n}", owner=user, team=team)
    pipeline_with_stages()
    return user


def test_skip_link_then_a_visible_focus(page, sign_in, live_server, rep):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in("rep")
    page.goto(f"{live_server.url}/customers/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["height"] >= 16 and 0 <= box["y"] < 800, box
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")
    inside = page.evaluate("document.querySelector('#main').contains(document.activeElement)")
    assert inside, "the Tab after the skip link lands in the page, not in the sidebar"
    assert page.evaluate(_FOCUS_MARK), "the focused control is visibly marked"


def test_the_shortcuts_dialog_keeps_the_focus_inside(page, sign_in, live_server, rep):
    sign_in("rep")
    page.locator("body").click(position={"x": 5, "y": 400})
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    # A native modal dialog: Tab cycles through its controls and, past the last, may go
    # to the browser's own toolbar (the document then has no focused element), never to
    # the page behind it.
    _NOWHERE_ELSE = (
        "d => d.contains(document.activeElement) || document.activeElement === document.body"
    )
    inside = 0
    for key in ["Tab"] * 6 + ["Shift+Tab"] * 3:
        page.keyboard.press(key)
        assert dialog.evaluate(_NOWHERE_ELSE), page.evaluate("document.activeElement.outerHTML")
        if dialog.evaluate("d => d.contains(document.activeElement)"):
            inside += 1
            assert page.evaluate(_FOCUS_MARK)
    assert inside >= 3
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_tap_targets_on_a_phone(page, sign_in, live_server, rep):
    customer = rep.owned_customers.first()
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in("rep")
    axe = Axe()
    for url in (
        "/customers/",
        f"/customers/{customer.pk}/",
        "/sales/leads/",
        "/sales/opportunities/",
        "/sales/board/",
        "/service/cases/",
    ):
        page.goto(f"{live_server.url}{url}")
        found = axe.run(page, options={"runOnly": ["target-size"]}).response["violations"]
        small = [n["target"] for v in found for n in v["nodes"]][:6]
        assert small == [], (url, small)
