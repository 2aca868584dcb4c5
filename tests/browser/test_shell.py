"""The app shell and the design tokens (docs/ui.md) in a real browser: the sidebar and its
off-canvas menu on a phone, light and dark themes, no horizontal scroll, no accessibility
violation, every asset from our own origin."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import expect

from panorama.accounts.models import Role
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def agent(db):
    return UserFactory(
        username="agent", first_name="Elena", last_name="Martín", role=Role.SERVICE_AGENT
    )


@pytest.fixture
def customers(agent):
    first = CustomerFactory(first_name="Lucía", last_name="Gómez Ruiz", owner=agent)
    IdentityFactory(customer=first, kind="phone", value="+34600112233", is_primary=True)
    CustomerFactory.create_batch(14, owner=agent)
    return first


def _violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]


def _assets(page) -> list[str]:
    return page.evaluate(
        """() => [
          ...[...document.querySelectorAll('link[rel=stylesheet], link[rel=preload], script[src]')]
              .map(e => e.href || e.src),
          ...performance.getEntriesByType('resource').map(e => e.name),
        ]"""
    )


def _set_theme(page, theme: str):
    page.get_by_role("button", name="Elena Martín").click()
    page.get_by_role("button", name={"light": "Light", "dark": "Dark"}[theme]).click()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
    page.keyboard.press("Escape")


def test_list_and_ficha_in_both_themes_wide_and_on_a_phone(
    page, sign_in, live_server, customers, screenshots
):
    sign_in("agent")
    for theme in ("light", "dark"):
        for name, viewport in (("wide", WIDE), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            for screen, url in (
                ("list", "/customers/"),
                ("ficha", f"/customers/{customers.pk}/"),
            ):
                page.goto(f"{live_server.url}{url}")
                if page.locator("html").get_attribute("data-bs-theme") != theme:
                    _set_theme(page, theme)
                    # Remembered: the page comes back in that theme (and axe does not
                    # read colours halfway through the buttons' transitions).
                    page.reload()
                    expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
                page.evaluate("document.fonts.ready")
                # The UI font is ours, loaded, and the text is 14 px.
                assert page.evaluate("document.fonts.check('14px Inter')")
                assert page.evaluate("getComputedStyle(document.body).fontSize") == "14px"
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
                assert _violations(page) == [], (theme, name, screen)
                foreign = [u for u in _assets(page) if not u.startswith(live_server.url)]
                assert foreign == []
                page.screenshot(path=str(screenshots / f"shell-{screen}-{name}-{theme}.png"))

    # The chosen theme is remembered on the next page and the next visit.
    page.goto(f"{live_server.url}/customers/")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")


def test_rows_are_compact_and_names_are_not_bold_blue(page, sign_in, live_server, customers):
    sign_in("agent")
    page.set_viewport_size(WIDE)
    page.goto(f"{live_server.url}/customers/")
    row = page.locator(".customer-table tbody tr").first
    height = row.evaluate("r => r.getBoundingClientRect().height")
    assert 32 <= height <= 36
    link = page.get_by_role("link", name="Lucía Gómez Ruiz")
    assert link.evaluate("a => getComputedStyle(a).fontWeight") == "500"
    # In the text colour (--bs-emphasis-color), not the link blue.
    assert link.evaluate("a => getComputedStyle(a).color") == "rgb(22, 23, 26)"


def test_the_sidebar_collapses_wide_and_is_an_off_canvas_menu_on_a_phone(
    page, sign_in, live_server, customers, screenshots
):
    sign_in("agent")
    page.set_viewport_size(WIDE)
    page.goto(f"{live_server.url}/customers/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Customers")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Import")).to_be_visible()
    sidebar = page.locator("#pn-sidebar")
    wide = sidebar.evaluate("e => e.getBoundingClientRect().width")
    page.get_by_role("button", name="Collapse sidebar").click()
    page.wait_for_function(
        "w => document.querySelector('#pn-sidebar').getBoundingClientRect().width < w / 2", arg=wide
    )
    # Still usable by its icons, and remembered on the next page.
    nav.get_by_role("link", name="Duplicates").click()
    page.wait_for_url("**/customers/duplicates/")
    assert page.locator("#pn-sidebar").evaluate("e => e.getBoundingClientRect().width") < wide / 2
    page.screenshot(path=str(screenshots / "shell-collapsed.png"))
    page.get_by_role("button", name="Collapse sidebar").click()

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/customers/")
    expect(page.get_by_role("link", name="Import")).to_be_hidden()
    # The search box is reachable without opening the menu.
    expect(page.get_by_label("Find a customer by name, phone, e-mail, ID or card")).to_be_visible()
    page.get_by_role("button", name="Open menu").click()
    menu = page.get_by_role("dialog")
    expect(menu.get_by_role("link", name="Import")).to_be_visible()
    expect(menu.get_by_role("button", name="ES", exact=True)).to_be_visible()
    page.wait_for_function(  # slid in completely
        "getComputedStyle(document.querySelector('#pn-sidebar')).transform === 'none'"
    )
    page.screenshot(path=str(screenshots / "shell-menu-phone.png"))
    menu.get_by_role("link", name="Import").click()
    page.wait_for_url("**/customers/imports/")


def test_staff_see_the_components_page_in_both_themes_and_others_do_not(
    page, sign_in, live_server, agent, screenshots
):
    UserFactory(username="boss", first_name="Ana", last_name="Ruiz", is_staff=True, role=Role.ADMIN)
    sign_in("agent")
    expect(page.get_by_role("link", name="Components")).to_have_count(0)
    response = page.goto(f"{live_server.url}/ui/components/")
    assert response.status == 403
    page.get_by_role("button", name="Sign out").click()

    sign_in("boss")
    page.get_by_role("link", name="Components").click()
    expect(page).to_have_url(f"{live_server.url}/ui/components/")
    expect(page.get_by_role("link", name="Components")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="Components", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Light theme")).to_be_visible()
    expect(page.get_by_role("heading", name="Dark theme")).to_be_visible()
    expect(page.locator("section[data-bs-theme=dark] .is-invalid").first).to_be_visible()
    assert _violations(page) == []
    page.screenshot(path=str(screenshots / "components.png"), full_page=True)


def test_the_theme_follows_the_system_until_chosen_and_never_flashes(browser, live_server, agent):
    """No stored choice: the OS's dark preference, already on <html> when <body> is parsed
    (before the first paint). "Light" overrides it; "System" gives it back."""
    context = browser.new_context(viewport=WIDE, color_scheme="dark", locale="en-GB")
    context.add_init_script(
        """new MutationObserver((_, observer) => {
             if (document.body) {
               window.themeAtBody = document.documentElement.getAttribute('data-bs-theme');
               observer.disconnect();
             }
           }).observe(document, {childList: true, subtree: true});"""
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("agent")
        page.get_by_label("Password").fill("secret-pass-123")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/customers/")
        assert page.evaluate("window.themeAtBody") == "dark"
        body_bg = page.evaluate(
            "getComputedStyle(document.querySelector('.pn-main')).backgroundColor"
        )
        assert body_bg == "rgb(27, 28, 31)"  # --pn-surface, dark

        page.get_by_role("button", name="Elena Martín").click()
        page.get_by_role("button", name="Light").click()
        page.reload()
        assert page.evaluate("window.themeAtBody") == "light"

        page.get_by_role("button", name="Elena Martín").click()
        expect(page.get_by_role("button", name="Light")).to_have_attribute("aria-pressed", "true")
        page.get_by_role("button", name="System").click()
        page.reload()
        assert page.evaluate("window.themeAtBody") == "dark"
    finally:
        context.close()


def test_the_admin_follows_the_theme_chosen_in_panorama(page, live_server, admin_user):
    """The admin is not a visually different product: Inter, the tokens' colours, and the
    dark theme when it was chosen in Panorama's top bar."""
    client = Client()
    client.force_login(admin_user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])

    page.goto(f"{live_server.url}/admin/")
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert light == "rgb(255, 255, 255)" and font.startswith("Inter")

    page.evaluate("localStorage.setItem('pn-theme', 'dark')")
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(27, 28, 31)"
    assert page.locator(".theme-toggle").first.is_hidden()
