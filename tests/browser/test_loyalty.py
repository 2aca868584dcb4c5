"""On a 375 px phone, an agent enrols a customer from the ficha's loyalty panel, finds
her by the new card number, and redeems a reward on her member's page; asking for more
than her balance says so and keeps her points. The pages fit and axe finds nothing."""

import re

import pytest
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.loyalty.models import Membership
from panorama.loyalty.services.members import movement_post
from panorama.loyalty.services.programmes import programme_save, reward_add, tier_add
from tests.factories import CustomerFactory, UserFactory

from .checks import sideways, violations
from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def test_an_agent_enrols_and_redeems_on_a_phone(browser, live_server):
    UserFactory(username="agente", role=Role.SERVICE_AGENT)
    ana = CustomerFactory(first_name="Ana", last_name="García")
    club = programme_save(by=None, name="Club Panorama")
    tier_add(by=None, programme=club, name="Bronce", threshold=0)
    tier_add(by=None, programme=club, name="Plata", threshold=500, multiplier="1.5")
    reward_add(by=None, programme=club, name="Taza", cost=100)
    reward_add(by=None, programme=club, name="Noche de hotel", cost=5000)

    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(30_000)  # a shared, busy machine
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("agente")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/customers/")

    page.goto(f"{live_server.url}/customers/{ana.pk}/")
    panel = page.locator("#panel-loyalty")
    expect(panel).to_contain_text("Not a member of any loyalty programme")
    panel.get_by_role("button", name="Enrol").click()
    expect(page).to_have_url(re.compile(r"/loyalty/members/\d+/$"))
    member = Membership.objects.get(customer=ana)
    expect(page.locator("body")).to_contain_text(f"Enrolled, card {member.card_number}.")
    assert sideways(page) == ""
    assert violations(page) == []

    # The card number identifies her.
    movement_post(membership=member, kind="earn", points=300)
    page.goto(f"{live_server.url}/customers/?q={member.card_number}")
    expect(page.get_by_role("link", name="Ana García").first).to_be_visible()

    page.goto(f"{live_server.url}/loyalty/members/{member.pk}/")
    expect(page.locator("#standing")).to_contain_text("300")
    page.get_by_label("Reward").select_option(label="Noche de hotel · 5000 puntos")
    page.get_by_role("button", name="Redeem", exact=True).click()
    expect(page.locator("#redeem-form")).to_contain_text("Not enough puntos")
    assert Membership.objects.get(pk=member.pk).balance == 300
    assert sideways(page) == ""
    assert violations(page) == []

    page.get_by_label("Reward").select_option(label="Taza · 100 puntos")
    page.get_by_role("button", name="Redeem", exact=True).click()
    expect(page.locator("body")).to_contain_text("Reward redeemed.")
    expect(page.locator("#movements")).to_contain_text("Taza")
    assert Membership.objects.get(pk=member.pk).balance == 200
    assert sideways(page) == ""

    # The programme's page and the members list fit the phone too.
    page.goto(f"{live_server.url}/loyalty/{club.pk}/")
    expect(page.locator("#tiers")).to_contain_text("Plata")
    assert sideways(page) == ""
    assert violations(page) == []
    page.goto(f"{live_server.url}/loyalty/members/")
    expect(page.get_by_role("link", name=member.card_number)).to_be_visible()
    assert sideways(page) == ""
    assert violations(page) == []
    context.close()
