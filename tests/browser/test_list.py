"""The shared list (core/lists.py) on the customer list, in Chromium: filters as chips,
sort, columns and "load more" live in the URL; Back from a record returns to its row,
focused; a slow answer shows the skeleton, a fast one nothing; a phone gets cards."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.customers.models import Customer
from tests.factories import CustomerFactory, IdentityFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def agent(db):
    return UserFactory(
        username="agent", first_name="Elena", last_name="Martín", role=Role.SERVICE_AGENT
    )


@pytest.fixture
def many(agent):
    """230 customers named so their order is known: Cliente 000 … Cliente 229."""
    return [
        CustomerFactory(first_name="Cliente", last_name=f"{i:03}", owner=agent) for i in range(230)
    ]


@pytest.fixture
def mixed(agent):
    made = []
    for i, status in enumerate(["active", "prospect", "prospect", "inactive", "prospect"]):
        customer = CustomerFactory(first_name="Ana", last_name=f"Prueba {i}", status=status)
        IdentityFactory(customer=customer, kind="phone", value=f"+3460011223{i}", is_primary=True)
        made.append(customer)
    return made


def _names(page) -> list[str]:
    return page.locator("#customers-rows tr[id] td.name").all_inner_texts()


def test_back_from_row_180_returns_to_it_focused(page, sign_in, live_server, many):
    sign_in("agent")
    page.set_viewport_size(WIDE)
    rows = page.locator("#customers-rows tr[id]")
    expect(rows).to_have_count(50)
    expect(page.locator("#customers-total")).to_have_text("230 customers")
    for loaded in (100, 150, 200):
        page.get_by_role("link", name="Load more").click()
        expect(rows).to_have_count(loaded)
        expect(page).to_have_url(re.compile(rf"rows={loaded}$"))
    # The keyboard goes on from the first new row, not from the vanished button.
    expect(rows.nth(150).get_by_role("link")).to_be_focused()

    target = many[179]
    page.get_by_role("link", name="Cliente 179", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/customers/{target.pk}/")
    page.go_back()

    expect(page.get_by_role("navigation", name="Main")).to_be_visible()  # never a fragment
    expect(rows).to_have_count(200)
    link = page.locator(f"#customers-row-{target.pk}").get_by_role("link")
    expect(link).to_be_focused()
    expect(link).to_be_in_viewport()
    # And it goes on: the next rows load after row 200.
    page.get_by_role("link", name="Load more").click()
    expect(rows).to_have_count(230)
    expect(page.get_by_role("link", name="Load more")).to_have_count(0)


def test_filters_sort_and_columns_live_in_the_url(page, sign_in, live_server, mixed):
    sign_in("agent")
    page.set_viewport_size(WIDE)
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("combobox", name="Status").select_option("prospect")
    page.get_by_role("button", name="Apply filters").click()
    chip = page.get_by_role("link", name="Remove filter Status: Prospect")
    expect(chip).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?status=prospect$"))
    expect(page.locator("#customers-rows tr[id]")).to_have_count(3)

    page.get_by_role("link", name="Name").click()  # the header: the other direction
    expect(page).to_have_url(re.compile(r"sort=-name"))
    expect(page.locator("th[aria-sort=descending]")).to_have_text("Name")
    assert _names(page) == ["Ana Prueba 4", "Ana Prueba 2", "Ana Prueba 1"]

    page.get_by_role("button", name="Columns").click()
    page.get_by_role("checkbox", name="Phone").check()
    page.get_by_role("button", name="Apply columns").click()
    expect(page.get_by_role("columnheader", name="Phone")).to_be_visible()
    expect(page).to_have_url(re.compile(r"cols=name%2Ckind%2Cstatus%2Cowner%2Cteam%2Cphone"))
    expect(page.locator("#customers-rows")).to_contain_text("600 11 22 34")

    shown = _names(page)
    url = page.url
    page.reload()
    assert _names(page) == shown
    expect(chip).to_be_visible()
    expect(page.get_by_role("columnheader", name="Phone")).to_be_visible()
    # A copied URL, in another tab, shows the same rows.
    other = page.context.new_page()
    other.goto(url)
    assert _names(other) == shown
    other.close()

    chip.click()
    expect(page).to_have_url(re.compile(r"\?sort=-name&cols="))
    expect(page.locator("#customers-rows tr[id]")).to_have_count(5)

    page.get_by_label("Name or identifier").fill("zzzz")
    expect(page.get_by_text("No results")).to_be_visible()
    page.get_by_role("link", name="Clear filters").click()
    expect(page.locator("#customers-rows tr[id]")).to_have_count(5)


def test_a_slow_answer_shows_the_skeleton_a_fast_one_nothing(page, sign_in, live_server, mixed):
    sign_in("agent")
    held = []
    page.route(
        re.compile(r"/customers/\?"),
        lambda route: (
            held.append(route) if route.request.headers.get("hx-request") else route.continue_()
        ),
    )
    skeleton = page.locator("#customers-list .pn-skeleton")
    page.get_by_role("link", name="Name").click()
    # Under 300 ms the old rows stay untouched: the skeleton's reveal waits 300 ms (read
    # from the running animation, not from a wall clock a loaded machine stretches).
    page.wait_for_function(
        "() => document.querySelector('#customers-list .pn-skeleton').getAnimations().length"
    )
    delays = skeleton.evaluate("s => s.getAnimations().map(a => a.effect.getTiming().delay)")
    assert delays == [300]
    expect(skeleton).to_be_visible()  # past 300 ms: the skeleton over them
    held[0].continue_()
    expect(page).to_have_url(re.compile(r"sort=-name"))
    expect(skeleton).to_be_hidden()


def test_on_a_phone_the_list_is_cards_without_sideways_scroll(
    page, sign_in, live_server, mixed, screenshots
):
    sign_in("agent")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/customers/?status=prospect&cols=name,status,phone,owner")
    expect(page.get_by_role("link", name="Remove filter Status: Prospect")).to_be_visible()
    expect(page.get_by_label("Name or identifier")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    first = page.locator("#customers-rows tr[id]").first
    assert first.evaluate("r => getComputedStyle(r).display") == "block"
    assert Customer.objects.filter(status="prospect").count() == 3
    for theme in ("light", "dark"):
        page.evaluate(f"document.documentElement.setAttribute('data-bs-theme', '{theme}')")
        page.wait_for_timeout(250)  # transitions settle before axe reads colours
        violations = Axe().run(page).response["violations"]
        assert [v["id"] for v in violations] == [], theme
        page.screenshot(path=str(screenshots / f"list-phone-{theme}.png"), full_page=True)
    page.set_viewport_size(WIDE)
    page.screenshot(path=str(screenshots / "list-wide.png"))


def test_saved_views_are_tabs_that_keep_filters_sort_and_columns(
    page, sign_in, live_server, mixed, screenshots
):
    sign_in("agent")
    page.set_viewport_size(WIDE)
    page.goto(f"{live_server.url}/customers/?status=prospect&sort=-name&cols=name,status,phone")
    page.get_by_role("button", name="Views").click()
    page.get_by_label("Save this list as a new view").fill("Prospects by phone")
    page.get_by_role("button", name="Save view").click()

    tabs = page.get_by_role("navigation", name="Saved views")
    tab = tabs.get_by_role("link", name="Prospects by phone")
    expect(tab).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("status")).to_contain_text("View “Prospects by phone” saved.")

    tabs.get_by_role("link", name="All").click()
    expect(page.locator("#customers-rows tr[id]")).to_have_count(5)
    expect(page.get_by_role("columnheader", name="Phone")).to_have_count(0)
    tab.click()
    expect(page.locator("#customers-rows tr[id]")).to_have_count(3)
    expect(page.get_by_role("columnheader", name="Phone")).to_be_visible()
    assert _names(page) == ["Ana Prueba 4", "Ana Prueba 2", "Ana Prueba 1"]

    # A change marks the tab; saving it stores the new state.
    page.get_by_role("link", name="Name").click()
    expect(tab).to_contain_text("(changed)")
    page.get_by_role("button", name="Views").click()
    page.get_by_role("button", name="Save changes to “Prospects by phone”").click()
    expect(tab).not_to_contain_text("(changed)")
    assert _names(page) == ["Ana Prueba 1", "Ana Prueba 2", "Ana Prueba 4"]

    # The default view opens the bare list; "All" is still one click away.
    page.get_by_role("button", name="Views").click()
    page.get_by_role("button", name="Open the list with this view").click()
    page.goto(f"{live_server.url}/customers/")
    expect(tab).to_have_attribute("aria-current", "page")
    expect(tab).to_contain_text("(default)")
    expect(page.locator("#customers-rows tr[id]")).to_have_count(3)
    page.screenshot(path=str(screenshots / "list-saved-views.png"))
    tabs.get_by_role("link", name="All").click()
    expect(page.locator("#customers-rows tr[id]")).to_have_count(5)
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations] == []


def test_bulk_actions_on_selected_rows_and_on_all_matching(page, sign_in, live_server, many):
    UserFactory(username="boss", first_name="Bea", last_name="Jefa", role=Role.ADMIN)
    sign_in("boss")
    page.set_viewport_size(WIDE)
    bar = page.get_by_role("form", name="Bulk actions")
    expect(bar).to_be_hidden()
    page.get_by_role("checkbox", name="Select Cliente 001").check()
    page.get_by_role("checkbox", name="Select Cliente 003").check()
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("2 rows selected")
    bar.get_by_label("Action").select_option(label="Change status")
    bar.get_by_label("Change status").select_option(label="Inactive")
    bar.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status").filter(has_text="rows changed")).to_contain_text(
        "Change status: 2 rows changed."
    )
    assert Customer.objects.filter(status="inactive").count() == 2

    page.get_by_role("checkbox", name="Select every row shown").check()
    expect(bar).to_contain_text("50 rows selected")
    bar.get_by_role("button", name="Select all matching rows (230 customers)").click()
    expect(bar).to_contain_text("All matching rows selected (230 customers)")
    bar.get_by_label("Action").select_option(label="Change status")
    bar.get_by_label("Change status").select_option(label="Prospect")
    bar.get_by_role("button", name="Apply").click()
    # 230 rows through the service one by one: seconds on a loaded machine.
    expect(page.get_by_role("status").filter(has_text="rows changed")).to_contain_text(
        "230 rows changed.", timeout=30_000
    )
    assert Customer.objects.filter(status="prospect").count() == 230


def test_a_cell_is_edited_with_the_keyboard_and_a_refusal_shows_in_place(
    page, sign_in, live_server, agent
):
    team = TeamFactory(name="Norte")
    rep = UserFactory(username="rep", role=Role.SALES_REP, teams=[team])
    UserFactory(username="other", first_name="Otro", last_name="Comercial", role=Role.SALES_REP)
    CustomerFactory(first_name="Ana", last_name="Sola", owner=rep, status="prospect")
    sign_in("rep")
    page.set_viewport_size(WIDE)
    link = page.get_by_role("link", name="Ana Sola")
    link.focus()
    page.keyboard.press("F2")  # the row's first editable cell: its status
    editor = page.get_by_role("combobox", name="Status")
    expect(editor).to_be_focused()
    page.keyboard.press("Escape")
    expect(editor).to_have_count(0)
    expect(page.get_by_role("button", name="Edit Status of Ana Sola")).to_be_focused()

    page.keyboard.press("Enter")
    editor.select_option("active")
    editor.press("Enter")
    row = page.locator("#customers-rows tr[id]").first
    expect(row.locator(".pn-chip")).to_have_text("Active")
    expect(page.get_by_role("button", name="Edit Status of Ana Sola")).to_be_focused()

    # Handing his customer to someone outside his teams: the service says no, in place.
    page.get_by_role("button", name="Edit Account manager of Ana Sola").click()
    owner = page.get_by_role("combobox", name="Account manager")
    owner.select_option(label="other")
    owner.press("Enter")
    expect(row.get_by_role("alert")).to_have_text(
        "You can only assign customers to yourself or to a team you belong to or manage."
    )
    expect(owner).to_be_visible()
