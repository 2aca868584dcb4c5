"""The core loop in a real browser: sign in, identify as you type, read the ficha, log a call."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.channels.models import Interaction
from panorama.customers.models import Identity
from panorama.customers.services.customer import IdentityData, customer_update, identity_add
from tests.factories import (
    AddressFactory,
    BillingIncidentFactory,
    ConsentFactory,
    CustomerFactory,
    GroupFactory,
    HoldingFactory,
    IdentityFactory,
    InteractionFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agent(db):
    return UserFactory(
        username="agent", first_name="Elena", last_name="Martín", role=Role.SERVICE_AGENT
    )


@pytest.fixture
def lucia(agent):
    """A customer with a full ficha."""
    team = TeamFactory(name="Madrid Centro")
    customer = CustomerFactory(first_name="Lucía", last_name="Gómez Ruiz", owner=agent, team=team)
    IdentityFactory(
        customer=customer,
        kind=Identity.Kind.PHONE,
        value="+34600112233",
        label="mobile",
        is_primary=True,
    )
    IdentityFactory(customer=customer, kind=Identity.Kind.NATIONAL_ID, value="12345678Z")
    IdentityFactory(customer=customer, kind=Identity.Kind.EMAIL, value="lucia@example.com")
    identity_add(customer=customer, item=IdentityData(kind="pin", value="4321"), by=agent)
    AddressFactory(customer=customer, line1="Calle Mayor 12, 3º B", postal_code="28013")
    HoldingFactory(
        customer=customer,
        product_name="Hipoteca fija",
        conditions={"rate": "2.10 %", "term": "25 y"},
    )
    HoldingFactory(
        customer=customer,
        product_code="CARD-01",
        product_name="Tarjeta Oro",
        category="cards",
        price=35,
        conditions={"limit": "6000 EUR"},
    )
    BillingIncidentFactory(customer=customer, reference="INV-00042", amount="89.90")
    BillingIncidentFactory(customer=customer, reference="INV-00007", status="resolved")
    ConsentFactory(customer=customer, granted=True)
    ConsentFactory(customer=customer, purpose="profiling", channel="any", granted=False)
    family = GroupFactory(name="Familia Gómez")
    MembershipFactory(group=family, customer=customer, role="head")
    MembershipFactory(
        group=family, customer=CustomerFactory(first_name="Pablo", last_name="Gómez"), role="child"
    )
    customer_update(customer=customer, by=agent, changes={"notes": "Prefers calls after 17:00"})
    InteractionFactory(
        customer=customer,
        agent=agent,
        subject="Asked about the mortgage rate",
        channel="web",
        direction="inbound",
    )
    InteractionFactory(
        customer=customer,
        agent=agent,
        subject="Welcome e-mail",
        channel="email",
        direction="outbound",
    )
    return customer


def test_sign_in_says_when_the_password_is_wrong_then_opens_the_list(page, live_server, agent):
    page.goto(f"{live_server.url}/customers/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    # Bootstrap and our tokens are served from our origin and applied (the accent colour).
    button = page.get_by_role("button", name="Sign in")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(61, 87, 214)"

    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill("wrong-password")
    button.click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Please enter a correct username and password"
    )

    page.get_by_label("Password").fill("secret-pass-123")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/customers/")
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_phone_typed_another_way_finds_the_customer_and_opens_the_ficha(
    page, sign_in, live_server, agent, lucia
):
    sign_in("agent")
    page.get_by_label("Find a customer by name, phone, e-mail, ID or card").fill("600 11 22 33")
    result = page.locator("#search-results").get_by_role(
        "link", name=re.compile("Lucía Gómez Ruiz")
    )
    expect(result).to_be_visible()
    expect(page.locator("#search-results")).to_contain_text("exact")
    result.click()

    expect(page).to_have_url(f"{live_server.url}/customers/{lucia.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Lucía Gómez Ruiz"
    )  # beside its Edit link
    identities = page.locator(
        "section", has=page.get_by_role("heading", name="Identity and contact")
    )
    expect(identities).to_contain_text("600 11 22 33")  # national format
    expect(identities).to_contain_text("12345678Z")
    expect(identities).to_contain_text("••••")
    page.get_by_role("tab", name="Sales").click()  # what she holds is on the Sales tab
    holdings = page.locator(
        "section", has=page.get_by_role("heading", name="Products and services held")
    )
    expect(holdings).to_contain_text("Hipoteca fija")
    expect(holdings).to_contain_text("2.10 %")


def test_enter_in_the_search_box_opens_the_ficha(page, sign_in, live_server, lucia):
    sign_in("agent")
    box = page.get_by_label("Find a customer by name, phone, e-mail, ID or card")
    box.fill("12345678-z")
    box.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/customers/{lucia.pk}/")


def test_a_logged_call_appears_on_top_of_the_timeline_without_reload(
    page, sign_in, live_server, agent, lucia
):
    sign_in("agent")
    page.goto(f"{live_server.url}/customers/{lucia.pk}/")
    page.evaluate("window.notReloaded = true")
    timeline = page.locator("#panel-timeline")

    timeline.get_by_role("button", name="Log contact").click()
    expect(timeline.get_by_role("alert")).to_have_text("A contact needs a subject.")

    timeline.get_by_label("Channel").select_option("phone")
    timeline.get_by_label("Direction").select_option("outbound")
    timeline.get_by_label("Subject").fill("Offered a better mortgage rate")
    timeline.get_by_label("Summary").fill("She will think about it.")
    timeline.get_by_label("Outcome").fill("call back Monday")
    timeline.get_by_role("button", name="Log contact").click()

    first = page.locator("#panel-timeline .timeline-entry").first
    expect(first).to_contain_text("Offered a better mortgage rate")
    expect(first).to_contain_text("call back Monday")
    expect(page.locator("#panel-timeline").get_by_label("Subject")).to_have_value("")
    assert page.evaluate("window.notReloaded") is True
    logged = Interaction.objects.get(subject="Offered a better mortgage rate")
    assert (logged.customer_id, logged.agent_id, logged.channel, logged.outcome) == (
        lucia.pk,
        agent.pk,
        "phone",
        "call back Monday",
    )


def test_a_user_who_chose_spanish_gets_spanish_pages(page, sign_in, live_server):
    UserFactory(username="lola", language="es", role=Role.SERVICE_AGENT)
    sign_in("lola")
    assert page.locator("html").get_attribute("lang") == "es"
    # The switcher saves the choice and the page comes back in English.
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="EN", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )


def _serious(results) -> list[str]:
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def test_list_and_ficha_have_no_serious_accessibility_violations(
    page, sign_in, live_server, lucia, screenshots
):
    sign_in("agent")
    CustomerFactory.create_batch(12)
    axe = Axe()
    page.goto(f"{live_server.url}/customers/")
    assert _serious(axe.run(page)) == []
    page.get_by_label("Find a customer by name, phone, e-mail, ID or card").fill("Lu")
    expect(page.locator("#search-results .list-group-item").first).to_be_visible()
    assert _serious(axe.run(page)) == []
    page.screenshot(path=str(screenshots / "list.png"))

    page.goto(f"{live_server.url}/customers/{lucia.pk}/")
    assert _serious(axe.run(page)) == []
    page.get_by_role("tab", name="Details").click()
    page.locator("details.history summary").click()
    assert _serious(axe.run(page)) == []
    page.screenshot(path=str(screenshots / "ficha.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/customers/{lucia.pk}/")
    # Usable on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "ficha-phone.png"), full_page=True)


def test_the_export_downloads_what_the_filtered_list_shows(page, sign_in, live_server, lucia):
    CustomerFactory(first_name="Zacarías", last_name="Pardo", owner=lucia.owner)
    sign_in("agent")
    page.goto(f"{live_server.url}/customers/")
    page.get_by_label("Name or identifier").fill("gómez")
    # The table (and its export link) is re-rendered for the filter without a reload.
    expect(page.locator("#customers-list")).not_to_contain_text("Zacarías")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert "Lucía Gómez Ruiz" in text and "+34600112233" in text
    assert "Zacarías" not in text


def test_a_user_changes_his_password_from_the_user_menu(
    page, sign_in, live_server, agent, screenshots
):
    sign_in("agent")
    page.get_by_role("button", name="Elena Martín").click()
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", name="Change password")).to_be_visible()
    assert _serious(Axe().run(page)) == []

    page.get_by_label("Current password").fill("secret-pass-123")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password again").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#new_password1-error")).to_contain_text("too short")

    page.get_by_label("Current password").fill("secret-pass-123")
    page.get_by_label("New password", exact=True).fill("tejado-azul-bajo-la-lluvia")
    page.get_by_label("New password again").fill("tejado-azul-bajo-la-lluvia")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password was changed")
    page.screenshot(path=str(screenshots / "password-change.png"))


def test_the_ficha_sections_are_tabs_with_their_own_address(page, sign_in, live_server, lucia):
    """Issue 14, point 6: sections as tabs, each with its URL, swapped without a page load;
    Back returns to the previous tab; arrows move between tabs; usable on a phone."""
    sign_in("agent")
    page.goto(f"{live_server.url}/customers/{lucia.pk}/")
    page.evaluate("window.notReloaded = true")
    tabs = page.get_by_role("tablist", name="Sections of the ficha")
    expect(page.get_by_role("tabpanel", name="Overview")).to_be_visible()
    expect(page.locator("#panel-timeline")).to_be_visible()
    expect(page.get_by_text("INV-00042")).to_be_hidden()

    tabs.get_by_role("tab", name="Service").click()
    expect(page).to_have_url(f"{live_server.url}/customers/{lucia.pk}/?tab=service")
    expect(page.get_by_text("INV-00042")).to_be_visible()
    expect(page.locator("#panel-timeline")).to_be_hidden()
    assert page.evaluate("window.notReloaded") is True

    # The keyboard: Right goes to the next tab and shows it.
    page.keyboard.press("ArrowRight")
    expect(tabs.get_by_role("tab", name="Details")).to_be_focused()
    expect(page.get_by_text("Familia Gómez")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/customers/{lucia.pk}/?tab=service")
    expect(page.get_by_text("INV-00042")).to_be_visible()

    # The address alone opens that tab (a copied link, a reload).
    page.goto(f"{live_server.url}/customers/{lucia.pk}/?tab=history")
    expect(tabs.get_by_role("tab", name="History")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("heading", name="Field history")).to_be_visible()

    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/customers/{lucia.pk}/?tab=sales")
    expect(page.get_by_text("Tarjeta Oro")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
