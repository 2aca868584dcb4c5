"""The portal's sales pages on a phone (375 px) in a real browser: he signs in with his
link, finds the quote we sent him, reads how each price was made, accepts it and lands
on his order; his orders and his prices too; the e-mailed link's page declines another.
Every page fits the width and axe finds nothing, in the light and the dark theme."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.catalog.services.price_lists import price_list_create, price_list_item_set
from panorama.portal.models import LoginLink
from panorama.sales.models import Order
from panorama.sales.services.quote import (
    LineData,
    acceptance_url,
    quote_create,
    quote_send,
)
from tests.factories import CustomerFactory, IdentityFactory, TeamFactory, UserFactory
from tests.portal.helpers import sign_in_path
from tests.sales.quote_world import quote_world

from .checks import sideways, violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _clean(page) -> None:
    assert sideways(page) == ""
    assert violations(page) == []
    page.emulate_media(color_scheme="dark")
    assert violations(page) == []
    page.emulate_media(color_scheme="light")


def test_a_customer_accepts_his_quote_in_the_portal_on_a_phone(page, live_server, smtp):
    team = TeamFactory(name="Madrid")
    rep = UserFactory(username="rep", role=Role.SALES_REP, teams=[team])
    world = quote_world()
    pymes = price_list_create(by=None, code="pymes", name="Pymes", segment="pymes")
    price_list_item_set(by=None, price_list=pymes, product=world["router"], price="90.00")
    ana = CustomerFactory(
        first_name="Ana",
        last_name="García",
        display_name="Ana García",
        owner=rep,
        team=team,
        language="en",
        custom_fields={"segment": "pymes"},
    )
    IdentityFactory(customer=ana, value="ana@example.com", is_primary=True)
    quote = quote_create(
        by=rep, customer_id=ana.pk, lines=[LineData(product_id=world["router"].pk, quantity=2)]
    )
    quote_send(by=rep, quote_id=quote.pk)
    quote.refresh_from_db()
    link = LoginLink.objects.create(
        customer=ana,
        email="ana@example.com",
        expires_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    page.set_viewport_size(PHONE)

    page.goto(live_server.url + sign_in_path(link.pk))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ana García")

    page.get_by_role("link", name="My quotes").click()
    quotes = page.locator("#portal-quotes")
    expect(quotes).to_contain_text(quote.reference)
    expect(quotes).to_contain_text("Waiting for your answer")
    _clean(page)

    page.get_by_role("link", name=f"Quote {quote.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Quote {quote.reference}")
    page.get_by_text("How this price was made").first.click()
    expect(page.locator(".quote-steps").first).to_contain_text("List price of Router")
    _clean(page)

    page.get_by_role("button", name="Accept this quote").click()
    order = Order.objects.get(quote=quote)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {order.reference}")
    expect(page.get_by_role("status")).to_contain_text(f"You accepted quote {quote.reference}")
    expect(page.locator("#portal-order-status")).to_have_text("Confirmed")
    _clean(page)

    page.get_by_role("link", name="Back to my orders").click()
    expect(page.locator("#portal-orders")).to_contain_text(order.reference)
    _clean(page)

    page.goto(f"{live_server.url}/portal/prices/?coupon=verano")
    expect(page.locator("#portal-coupon-error")).to_contain_text("The coupon VERANO expired")
    expect(page.locator("#portal-prices")).to_contain_text("Router")
    _clean(page)

    # The e-mailed link's page declines through the same service.
    second = quote_create(
        by=rep, customer_id=ana.pk, lines=[LineData(product_id=world["router"].pk)]
    )
    quote_send(by=rep, quote_id=second.pk)
    second.refresh_from_db()
    page.goto(acceptance_url(second, live_server.url))
    _clean(page)
    page.get_by_label("Why not? (optional)").fill("Ya tengo otro")
    page.get_by_role("button", name="Decline this quote").click()
    expect(page.locator("#decline-done")).to_be_visible()
    second.refresh_from_db()
    assert second.status == "declined"
