"""Issue 14, point 7: "?" lists every shortcut in the reader's language; single-key
shortcuts never fire while typing; Esc gives the focus back."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from panorama.accounts.models import Role
from tests.browser.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rep(db):
    return UserFactory(username="rep", first_name="Pablo", last_name="Ortega", role=Role.SALES_REP)


def test_question_mark_lists_the_shortcuts_and_esc_gives_the_focus_back(
    page, sign_in, live_server, rep
):
    sign_in("rep")
    page.locator("body").click(position={"x": 5, "y": 400})
    page.keyboard.press("?")

    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Open the command palette")
    expect(dialog).to_contain_text("Carry the card to the previous or next column")
    assert axe_clean(page)

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Typed into the search box, "?" and "g l" are text, not shortcuts.
    search = page.locator("#navbar-search")
    page.keyboard.press("/")
    expect(search).to_be_focused()
    page.keyboard.type("g l?")
    expect(search).to_have_value("g l?")
    expect(dialog).to_be_hidden()
    assert page.url == f"{live_server.url}/customers/"

    # Out of the field, "g" then "l" goes to the leads.
    search.fill("")
    search.blur()
    page.keyboard.press("g")
    page.keyboard.press("l")
    page.wait_for_url(f"{live_server.url}/sales/leads/")


def test_the_list_is_in_spanish_and_reachable_from_the_user_menu_on_a_phone(page, live_server, db):
    UserFactory(username="lola", language="es", role=Role.SALES_REP)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill("lola")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/customers/")

    page.locator("#user-menu").click()
    page.get_by_role("button", name="Atajos de teclado").click()
    dialog = page.get_by_role("dialog", name="Atajos de teclado")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Abrir la paleta de comandos")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways: {width} px"
    dialog.get_by_role("button", name="Cerrar").click()
    expect(dialog).to_be_hidden()


def axe_clean(page) -> bool:
    violations = Axe().run(page, context="#pn-shortcuts").response["violations"]
    assert not violations, [v["id"] for v in violations]
    return True
