"""The kanban on a phone (core/kanban, kanban.js): at 375 px one column shows at a time,
snapped when swiped, a "Column" picker jumps to another and follows the swipe; the
keyboard still moves cards, the board following the held card; the page never scrolls
sideways. At 1280 px there is no picker: every column shows."""

import pytest
from playwright.sync_api import expect

from panorama.sales.models import Opportunity
from tests.browser.checks import sideways
from tests.browser.test_board import card, column, totals, world  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


SHOWN = """() => {
  const strip = document.querySelector('.pn-kanban-columns').getBoundingClientRect();
  return [...document.querySelectorAll('.pn-kanban-column')].filter(c => {
    const r = c.getBoundingClientRect();
    return r.right > strip.left + 1 && r.left < strip.right - 1;
  }).map(c => c.dataset.title);
}"""


def _shown(page) -> list[str]:
    """The titles of the columns the board shows (inside the board's own width)."""
    return page.evaluate(SHOWN)


def _wait_shown(page, *titles: str) -> None:
    """Wait for the board to show exactly ``titles`` (a scroll, smooth or snapped, ends)."""
    wanted = "|".join(titles)
    page.wait_for_function(f"() => ({SHOWN})().join('|') === {wanted!r}")


def test_one_column_at_a_time_on_a_phone(page, sign_in, live_server, world):  # noqa: F811
    page.set_viewport_size(PHONE)
    sign_in("rep")
    page.goto(f"{live_server.url}/sales/board/{world['pipeline'].pk}/")
    picker = page.get_by_label("Column", exact=True)
    expect(picker).to_be_visible()
    expect(picker.locator("option")).to_have_text(
        ["Qualify (3)", "Propose (0)", "Negotiate (0)", "Won (0)", "Lost (0)"]
    )
    assert _shown(page) == ["Qualify"]
    assert sideways(page) == ""

    # The picker jumps to a column.
    picker.select_option(label="Won (0)")
    _wait_shown(page, "Won")

    # A swipe snaps to the neighbouring column, and the picker follows.
    page.locator(".pn-kanban-columns").evaluate("s => s.scrollBy({left: -0.7 * s.clientWidth})")
    expect(picker).to_have_value(column(page, "Negotiate").get_attribute("data-column-id"))
    _wait_shown(page, "Negotiate")

    # The keyboard: the held card carries the board to its new column.
    fibra = card(page, "Fibra 600")
    fibra.focus()
    expect(picker).to_have_value(column(page, "Qualify").get_attribute("data-column-id"))
    _wait_shown(page, "Qualify")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    expect(picker).to_have_value(column(page, "Propose").get_attribute("data-column-id"))
    _wait_shown(page, "Propose")
    page.keyboard.press("Space")
    expect(page.locator(".pn-kanban-live")).to_contain_text("moved to Propose")
    expect(picker.locator("option").nth(1)).to_have_text("Propose (1)")
    assert totals(page, "Propose") == ("1", "€1,200.00")
    assert Opportunity.objects.get(name="Fibra 600").stage.name == "Propose"
    assert sideways(page) == ""

    # A wide screen has no picker: every column shows.
    page.set_viewport_size(WIDE)
    expect(picker).to_be_hidden()
    assert len(_shown(page)) == 5
