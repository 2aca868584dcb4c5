"""The customer portal on a phone (375 px) in a real browser: he asks for a sign-in link,
opens it from the e-mail the real SMTP server received, lands on his cases, opens one;
every page fits the width and axe finds nothing, in the light and the dark theme. His
browser's tracking cookie is his once he is in."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.automation.models import TrackedSite, WebVisitor
from panorama.automation.services.tracking import events_ingest
from panorama.channels.models import ChatPresence, Conversation, Interaction
from panorama.service.services.case import case_open
from panorama.service.services.knowledge import article_create, article_publish
from tests.factories import CustomerFactory, IdentityFactory, UserFactory
from tests.portal.helpers import link_in

from .checks import sideways, violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _clean(page) -> None:
    assert sideways(page) == ""
    assert violations(page) == []
    page.emulate_media(color_scheme="dark")
    assert violations(page) == []
    page.emulate_media(color_scheme="light")


def test_a_customer_signs_in_with_the_mailed_link_on_a_phone(page, live_server, smtp, settings):
    settings.PANORAMA_PUBLIC_URL = live_server.url
    ana = CustomerFactory(first_name="Ana", last_name="García", display_name="Ana García")
    IdentityFactory(customer=ana, value="ana@example.com")
    case = case_open(by=None, customer_id=ana.pk, subject="Router sin luz", description="Ayer")
    site = TrackedSite.objects.create(name="Portal", origins=live_server.url)
    events_ingest(site=site, body={"visitor": "browser-ana-01", "events": [{"name": "page_view"}]})
    cookie = {"name": "pn_vid", "value": "browser-ana-01", "url": live_server.url}
    page.context.add_cookies([cookie])
    IdentityFactory(customer=ana, kind="phone", value="+34600111222")
    article = article_create(
        by=None, title="How to download your invoice", body="…", visibility="public", language="en"
    )
    article_publish(by=None, article_id=article.pk)
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/portal/")
    expect(page).to_have_url(f"{live_server.url}/portal/login/")
    _clean(page)
    page.get_by_label("Your e-mail address").fill("ana@example.com")
    page.get_by_role("button", name="Send me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    _clean(page)

    page.goto(live_server.url + link_in(smtp.to("ana@example.com")[0]))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ana García")
    expect(page.locator("#portal-open-cases")).to_contain_text("Router sin luz")
    _clean(page)
    assert WebVisitor.objects.get(cookie_id="browser-ana-01").customer_id == ana.pk

    # The chat knows him by his portal login: no name or e-mail asked; the chat is his.
    agent = UserFactory(username="elena", first_name="Elena", role=Role.SERVICE_AGENT)
    ChatPresence.objects.create(user=agent, seen_at=timezone.now())
    page.reload()  # the widget asks who is on line when the page loads
    page.get_by_role("button", name="Chat", exact=True).click()
    chat = page.get_by_role("dialog", name="Chat with us")
    expect(chat).to_contain_text("You are signed in as Ana García")
    expect(chat.get_by_label("Your name")).to_be_hidden()
    chat.get_by_label("Your message").fill("¿Cuándo vienen a arreglar el router?")
    chat.get_by_role("checkbox").check()
    chat.get_by_role("button", name="Start the chat").click()
    expect(chat).to_contain_text("an agent will be with you")
    conversation = Conversation.objects.get()
    assert (conversation.customer_id, conversation.identified_by) == (ana.pk, "portal")
    chat.get_by_role("button", name="End the chat").click()
    expect(chat).to_contain_text("The chat was closed")
    chat.get_by_role("button", name="Close").click()
    expect(chat).to_be_hidden()
    assert Interaction.objects.filter(customer=ana, channel="chat").exists()

    page.get_by_role("link", name="Router sin luz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(case.subject)
    _clean(page)

    page.get_by_role("link", name="Back to your customer area").click()
    page.get_by_role("link", name="Call me back").click()
    page.get_by_label("What about?").fill("Dudas con la factura")
    _clean(page)
    page.get_by_role("button", name="Ask for the call").click()
    expect(page.get_by_role("status")).to_contain_text("we will call you back")
    page.get_by_role("link", name="Frequently asked questions").click()
    expect(page.locator("#portal-faq")).to_contain_text("How to download your invoice")
    _clean(page)

    page.goto(f"{live_server.url}/customers/")  # a staff page: the portal's session is no key
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/customers/")
