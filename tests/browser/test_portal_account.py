"""The customer's own account in the portal on a phone (375 px), in a real browser: the
web-tracking banner on his pages, *My details* (a refused e-mail with the service's
message beside the field, then a saved phone), *My consents* (a switch off, in force at
once) and the banner's *Accept*, which tells the tracking snippet and records it; axe
finds nothing on any of them, in the light and the dark theme."""

import datetime
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from panorama.automation.models import TrackedSite
from panorama.customers.models import Consent
from panorama.portal.models import LoginLink
from tests.factories import AddressFactory, ConsentFactory, CustomerFactory, IdentityFactory
from tests.portal.helpers import sign_in_path

from .checks import sideways, violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _clean(page) -> None:
    assert sideways(page) == ""
    assert violations(page) == []
    page.emulate_media(color_scheme="dark")
    assert violations(page) == []
    page.emulate_media(color_scheme="light")


def _until(check, seconds: float = 5.0):
    deadline = time.monotonic() + seconds
    while not (found := check()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def test_his_details_consents_and_the_tracking_banner_on_a_phone(page, live_server):
    ana = CustomerFactory(first_name="Ana", last_name="García", display_name="Ana García")
    IdentityFactory(customer=ana, kind="email", value="ana@example.com", is_primary=True)
    IdentityFactory(customer=ana, kind="phone", value="+34600111222", is_primary=True)
    AddressFactory(customer=ana, line1="Calle Mayor 1", city="Madrid", postal_code="28013")
    ConsentFactory(customer=ana, purpose="marketing", channel="email", granted=True)
    TrackedSite.objects.create(name="Portal", origins=live_server.url)  # asks consent
    link = LoginLink.objects.create(
        customer=ana,
        email="ana@example.com",
        expires_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + sign_in_path(link.pk))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ana García")
    banner = page.get_by_role("region", name="Cookies in your customer area")
    expect(banner).to_be_visible()

    page.get_by_role("link", name="My details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My details")
    details = page.locator("#portal-details")  # the chat widget has fields of its own
    expect(details.get_by_label("E-mail")).to_have_value("ana@example.com")
    _clean(page)  # the banner and the form

    details.get_by_label("E-mail").fill("ana(at)example")
    page.get_by_role("button", name="Save my details").click()
    expect(page.get_by_text("ana(at)example is not a valid e-mail address.")).to_be_visible()
    expect(details.get_by_label("E-mail")).to_have_attribute("aria-invalid", "true")
    _clean(page)
    details.get_by_label("E-mail").fill("ana@example.com")
    details.get_by_label("Phone").fill("611 222 333")
    page.get_by_role("button", name="Save my details").click()
    expect(page.get_by_text("Saved: Phone.")).to_be_visible()
    expect(details.get_by_label("Phone")).to_have_value("+34611222333")

    page.get_by_role("link", name="My consents").click()
    switch = page.get_by_role("group", name="Marketing communications").get_by_role(
        "switch", name="E-mail"
    )
    expect(switch).to_be_checked()
    _clean(page)
    switch.uncheck()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your choices are saved and in force now.")).to_be_visible()
    expect(switch).not_to_be_checked()
    newest = Consent.objects.filter(customer=ana, channel="email").order_by("-id").first()
    assert newest is not None and newest.granted is False

    # The banner's Accept: the snippet is told at once (its cookies), the portal records it.
    page.get_by_role("button", name="Accept cookies").click()
    expect(banner).to_have_count(0)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("pn_consent") == "yes"
    assert _until(lambda: Consent.objects.filter(customer=ana, purpose="profiling").exists())
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("My consents")
    expect(banner).to_have_count(0)
    _clean(page)
