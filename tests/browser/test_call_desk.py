"""The call centre's desk in Chromium: the agent takes the next customer of a call
list, reads the argumentario, records the outcome (an interested customer becomes a
lead); the desk and the campaign page pass axe in both themes and fit a 375 px phone."""

import pytest
from playwright.sync_api import expect

from panorama.customers.models import Consent
from panorama.marketing.models import Campaign, Recipient
from panorama.sales.models import Lead, Script
from tests.browser.checks import sideways, violations
from tests.factories import ConsentFactory, CustomerFactory, IdentityFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def call_list(db):
    UserFactory(username="carla", role="service_agent")
    UserFactory(username="marta", role="marketing")
    ana = CustomerFactory(first_name="Ana", last_name="García", display_name="Ana García")
    IdentityFactory(customer=ana, kind="phone", value="+34611000001", is_primary=True)
    ConsentFactory(customer=ana, channel=Consent.Channel.PHONE)
    script = Script.objects.create(
        title="Tarjeta sin comisiones",
        body="Preséntate y ofrece la tarjeta.",
        objections=[{"objection": "Ya tengo una", "answer": "Esta no tiene comisiones."}],
    )
    campaign = Campaign.objects.create(
        name="Llamadas tarjeta",
        channel=Campaign.Channel.CALL_LIST,
        status=Campaign.Status.SENDING,
        programme=Campaign.Programme.CROSS_SELL,
        script=script,
        offer_product_code="CARD-CR",
    )
    Recipient.objects.create(campaign=campaign, customer=ana, group="target")
    return campaign


def test_an_agent_calls_the_next_customer_and_records_his_interest(
    page, sign_in, live_server, call_list
):
    page.set_default_timeout(60_000)  # the machine is shared: generous, nothing is timed
    page.set_default_navigation_timeout(90_000)
    sign_in("carla")
    page.goto(f"{live_server.url}/marketing/calls/")
    page.get_by_role("link", name="Llamadas tarjeta").click()
    page.get_by_role("button", name="Next customer").click()
    current = page.locator("[data-current-call]")
    expect(current.locator("[data-call-customer]")).to_have_text("Ana García")
    expect(current.locator("[data-call-phone]")).to_have_text("+34611000001")
    expect(page.locator("#scripts")).to_contain_text("Esta no tiene comisiones.")
    for theme in ("light", "dark"):
        page.evaluate(f"document.documentElement.setAttribute('data-bs-theme', '{theme}')")
        assert violations(page) == []
    page.set_viewport_size({"width": 375, "height": 812})
    assert sideways(page) == ""
    page.get_by_role("radio", name="Interested", exact=True).check()
    page.get_by_label("Note").fill("Quiere la tarjeta")
    page.get_by_role("button", name="Record the call").click()
    expect(page.locator(".alert-success")).to_contain_text("Lead")
    expect(page.locator("[data-progress='interested']")).to_have_text("1")
    lead = Lead.objects.get()
    assert lead.source == Lead.Source.PHONE

    page.goto(f"{live_server.url}/marketing/campaigns/{call_list.pk}/")
    expect(page.locator("[data-result='called']")).to_have_text("1")
    assert violations(page) == []
    assert sideways(page) == ""
