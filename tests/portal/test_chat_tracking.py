"""The web chat and the tracking snippet on the portal's own pages: a signed-in customer
who chats is who his portal session says (never an id or e-mail the browser posts), an
anonymous visitor of the portal is any web visitor, and the portal's page views land on
its tracked site without an administrator listing the portal's origin."""

import datetime
import json
import time

import pytest
from django.utils import timezone

from panorama.automation.models import TrackedSite, WebEvent, WebVisitor
from panorama.channels.chat import services as chat
from panorama.channels.models import ChatPresence, Conversation, Interaction
from panorama.portal.access import SESSION_KEY
from panorama.portal.models import LoginLink
from panorama.service.models import Case
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

from .helpers import sign_in_path

pytestmark = pytest.mark.django_db
PORTAL = "http://testserver"  # the test client's host: Panorama's own origin
BANK = "https://www.bank.example"


@pytest.fixture
def site():
    return TrackedSite.objects.create(name="Bank web", origins=BANK)


@pytest.fixture
def ana(team):
    customer = CustomerFactory(
        first_name="Ana", last_name="García", display_name="Ana García", team=team
    )
    IdentityFactory(customer=customer, value="ana@example.com")
    return customer


@pytest.fixture
def bruno(team):
    customer = CustomerFactory(first_name="Bruno", display_name="Bruno Ruiz", team=team)
    IdentityFactory(customer=customer, value="bruno@example.com")
    return customer


@pytest.fixture
def agent(team):
    from panorama.accounts.models import Role

    user = UserFactory(username="elena", first_name="Elena", role=Role.SERVICE_AGENT, teams=[team])
    ChatPresence.objects.create(user=user, seen_at=timezone.now())
    return user


def _sign_in(client, customer):
    link = LoginLink.objects.create(
        customer=customer,
        email="x@example.com",
        expires_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    assert client.post(sign_in_path(link.pk)).status_code == 302


def _start(client, site, origin=PORTAL, **data):
    body = {"message": "¿Cuándo llega mi tarjeta?", "consent": True, **data}
    return client.post(
        f"/channels/chat/w/{site.public_key}/start/",
        data=json.dumps(body),
        content_type="text/plain",
        headers={"Origin": origin},
    )


# --- the chat -------------------------------------------------------------------------


def test_a_signed_in_customer_chats_as_himself_whatever_the_browser_posts(
    client, site, ana, bruno, agent
):
    _sign_in(client, ana)

    answer = _start(
        client,
        site,
        name="Bruno",
        email="bruno@example.com",
        customer=bruno.pk,
        customer_id=bruno.pk,
        visitor="cookie-ana-portal-1",
    )

    assert answer.status_code == 201, answer.content
    conversation = Conversation.objects.get()
    assert (conversation.customer, conversation.identified_by) == (ana, "portal")
    assert conversation.name == "Ana García" and conversation.email == ""
    # his browser is his from now (the portal's own tracking cookie)
    visitor = WebVisitor.objects.get(cookie_id="cookie-ana-portal-1")
    assert (visitor.site, visitor.customer, visitor.identified_by) == (site, ana, "portal")


def test_the_widget_is_told_he_is_signed_in_and_asks_no_name(client, site, ana, agent):
    status = client.get(f"/channels/chat/w/{site.public_key}/", headers={"Origin": PORTAL})
    assert status.status_code == 200 and status.json()["signed_in"] is False

    _sign_in(client, ana)
    status = client.get(f"/channels/chat/w/{site.public_key}/", headers={"Origin": PORTAL})

    assert status.json()["signed_in"] is True
    assert "Ana García" in status.json()["texts"]["signed_in"]
    answer = _start(client, site)  # no name at all: he is known
    assert answer.status_code == 201, answer.content


def test_his_chat_answered_and_closed_lands_on_his_timeline(client, site, ana, agent):
    _sign_in(client, ana)
    token = _start(client, site).json()["token"]
    conversation = Conversation.objects.get(token=token)

    chat.chat_reply(by=agent, conversation_id=conversation.pk, body="Mañana, Ana.")
    closed = client.post(
        f"/channels/chat/w/{site.public_key}/{token}/close/", headers={"Origin": PORTAL}
    )

    assert closed.status_code == 200
    entry = Interaction.objects.get(customer=ana, channel="chat")
    assert "Ana García: ¿Cuándo llega mi tarjeta?" in entry.body
    assert "Elena: Mañana, Ana." in entry.body


def test_an_anonymous_visitor_of_the_portal_is_any_web_visitor(client, site, ana, agent):
    nameless = _start(client, site, customer=ana.pk)
    assert nameless.status_code == 422 and "name" in nameless.json()["errors"]

    answer = _start(client, site, name="Ana", customer=ana.pk)

    assert answer.status_code == 201
    conversation = Conversation.objects.get()
    assert conversation.customer is None and conversation.identified_by == ""
    by_email = _start(client, site, name="Ana", email="ana@example.com")
    assert by_email.status_code == 201
    assert Conversation.objects.get(token=by_email.json()["token"]).identified_by == "email"


def test_the_portal_session_counts_only_on_the_portals_own_pages(client, site, ana, agent):
    _sign_in(client, ana)

    answer = _start(client, site, origin=BANK, name="Alguien")  # another site's page

    assert answer.status_code == 201
    assert Conversation.objects.get().customer is None


def test_an_ended_portal_session_does_not_identify_him(client, site, ana, agent, settings):
    _sign_in(client, ana)
    session = client.session
    session[SESSION_KEY] = {"customer": ana.pk, "since": int(time.time()) - 3 * 3600}
    session.save()

    answer = _start(client, site, name="Ana")

    assert answer.status_code == 201
    assert Conversation.objects.get().customer is None


def test_with_nobody_on_line_his_message_opens_his_case(client, site, ana):
    _sign_in(client, ana)

    answer = _start(client, site)

    assert answer.status_code == 201 and answer.json()["token"] is None
    case = Case.objects.get()
    assert case.customer == ana and "¿Cuándo llega mi tarjeta?" in case.description


def test_the_service_takes_the_customer_only_from_its_caller(site, ana, bruno, agent):
    conversation = chat.chat_start(
        site=site,
        data={"message": "Hola", "consent": True, "email": "bruno@example.com"},
        customer=ana,
    )
    assert (conversation.customer, conversation.identified_by) == (ana, "portal")
    without = chat.chat_start(
        site=site,
        data={"name": "X", "message": "Hola", "consent": True, "customer": ana.pk},
    )
    assert without.customer is None


# --- the portal's pages carry the snippet and the widget ------------------------------


def test_the_portals_pages_carry_the_oldest_sites_snippet_and_chat(client, ana):
    assert 'data-key="' not in client.get("/portal/login/").content.decode()  # no site
    first = TrackedSite.objects.create(name="Bank web", origins=BANK)
    TrackedSite.objects.create(name="Other", origins="https://other.example")

    page = client.get("/portal/login/").content.decode()

    assert f'data-key="{first.public_key}"' in page and "automation/track.js" in page
    assert f'data-site="{first.public_key}"' in page and "channels/chat-widget.js" in page


def test_a_site_listing_the_portals_origin_is_the_portals(client, ana):
    TrackedSite.objects.create(name="Bank web", origins=BANK)
    portal = TrackedSite.objects.create(name="Portal", origins=f"{BANK}\n{PORTAL}")
    _sign_in(client, ana)

    page = client.get("/portal/").content.decode()

    assert f'data-key="{portal.public_key}"' in page


def test_a_site_asking_consent_gets_the_snippet_that_waits_for_it(client):
    TrackedSite.objects.create(name="Bank web", origins=BANK, require_consent=True)
    assert 'data-consent="required"' in client.get("/portal/login/").content.decode()


def test_page_views_from_the_portal_land_without_listing_its_origin(client, site):
    body = {
        "visitor": "cookie-portal-777",
        "events": [{"name": "page_view", "url": f"{PORTAL}/portal/login/"}],
    }
    post = lambda origin: client.post(  # noqa: E731
        f"/automation/track/{site.public_key}/",
        data=json.dumps(body),
        content_type="text/plain",
        headers={"Origin": origin},
    )

    assert post(PORTAL).status_code == 202
    assert post("https://evil.example").status_code == 403
    [event] = WebEvent.objects.all()
    assert (event.site, event.cookie_id, event.url) == (
        site,
        "cookie-portal-777",
        body["events"][0]["url"],
    )


def test_his_portal_cookie_is_his_at_sign_in_and_its_page_views_with_it(client, site, ana):
    client.post(
        f"/automation/track/{site.public_key}/",
        data=json.dumps({"visitor": "cookie-ana-portal-2", "events": [{"name": "page_view"}]}),
        content_type="text/plain",
        headers={"Origin": PORTAL},
    )
    client.cookies["pn_vid"] = "cookie-ana-portal-2"

    _sign_in(client, ana)

    assert WebEvent.objects.get().customer == ana
    assert WebVisitor.objects.get(cookie_id="cookie-ana-portal-2").identified_by == "portal"
