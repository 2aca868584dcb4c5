"""Signing in to the portal by e-mailed link: one link per request for the one customer
holding the address (through the real SMTP server), nothing for anyone else, a link that
works once and not after its time, and the browser's tracking cookie becoming his."""

import datetime

import pytest
from django.utils import timezone

from panorama.automation.models import TrackedSite, WebEvent, WebVisitor
from panorama.automation.services.tracking import events_ingest, web_summarise
from panorama.channels.models import Interaction
from panorama.core.exceptions import ValidationFailed
from panorama.portal.models import LoginLink
from panorama.portal.services import (
    LinkRefused,
    login_link_request,
    login_link_token,
    portal_sign_in,
)
from panorama.sales.services.lead_webform import SubmissionsThrottled
from tests.factories import CustomerFactory, IdentityFactory

from .helpers import link_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana():
    customer = CustomerFactory(first_name="Ana", last_name="García", display_name="Ana García")
    IdentityFactory(customer=customer, value="ana@example.com")
    return customer


def test_the_customer_holding_the_address_gets_a_link_by_mail(ana, smtp, emitted):
    with emitted() as events:
        login_link_request(email=" Ana@Example.com ", address="10.0.0.1", language="en")

    link = LoginLink.objects.get()
    assert (link.customer, link.email, link.used_at) == (ana, "ana@example.com", None)
    [message] = smtp.to("ana@example.com")
    assert message["Subject"] == "Your link to sign in to the customer portal"
    assert link_in(message).startswith("/portal/login/")
    assert events == [("portal.link_sent", {"customer_id": ana.pk, "link_id": link.pk})]


@pytest.mark.parametrize("address", ["nadie@example.com", "shared@example.com"])
def test_an_unknown_or_shared_address_gets_nothing_and_is_told_nothing(ana, smtp, address):
    for _n in range(2):  # a family address: whose portal would it be?
        IdentityFactory(value="shared@example.com")

    assert login_link_request(email=address, address="10.0.0.1") is None

    assert LoginLink.objects.count() == 0
    assert smtp.emails == []


def test_what_is_not_an_address_is_refused_naming_the_field(smtp):
    with pytest.raises(ValidationFailed) as refused:
        login_link_request(email="ana at example", address="10.0.0.1")
    assert refused.value.field == "email"


def test_requests_from_one_address_are_limited_like_the_public_forms(
    ana, smtp, settings, django_capture_on_commit_callbacks
):
    settings.PANORAMA_WEBFORM_LIMIT = 2
    for _n in range(2):
        login_link_request(email="nadie@example.com", address="10.0.0.9")

    with pytest.raises(SubmissionsThrottled):
        login_link_request(email="ana@example.com", address="10.0.0.9")
    assert smtp.emails == []  # the known address got nothing past the limit either
    with django_capture_on_commit_callbacks(execute=True):  # the mail goes after the commit
        login_link_request(email="ana@example.com", address="10.0.0.10")  # another address
    assert len(smtp.to("ana@example.com")) == 1


def _link(customer, **kw) -> LoginLink:
    expires = timezone.now() + datetime.timedelta(minutes=15)
    return LoginLink.objects.create(
        customer=customer, email="ana@example.com", **{"expires_at": expires, **kw}
    )


def test_a_link_signs_in_once(ana, emitted):
    link = _link(ana)
    token = login_link_token(link.pk)

    with emitted() as events:
        signed = portal_sign_in(token=token)

    assert signed.customer == ana
    assert events == [
        ("portal.signed_in", {"customer_id": ana.pk, "link_id": link.pk, "visitor_events": 0})
    ]
    with pytest.raises(LinkRefused, match="already used"):
        portal_sign_in(token=token)


def test_a_link_past_its_time_or_tampered_with_signs_nobody_in(ana):
    late = _link(ana, expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(LinkRefused, match="expired"):
        portal_sign_in(token=login_link_token(late.pk))
    good = login_link_token(_link(ana).pk)
    with pytest.raises(LinkRefused, match="not valid"):
        portal_sign_in(token=good[:-2] + ("A" if good[-1] != "A" else "B") + good[-1])
    with pytest.raises(LinkRefused, match="not valid"):
        portal_sign_in(token=login_link_token(99_999))  # signed, but no such link


def test_a_signature_older_than_the_link_minutes_is_expired(ana, settings):
    token = login_link_token(_link(ana).pk)
    settings.PANORAMA_PORTAL_LINK_MINUTES = -1  # the signature is now older than allowed
    with pytest.raises(LinkRefused, match="expired"):
        portal_sign_in(token=token)


def test_his_browsers_anonymous_visit_lands_on_his_timeline_once_he_signs_in(ana):
    site = TrackedSite.objects.create(name="Web", origins="https://www.bank.example")
    visit = timezone.now() - datetime.timedelta(hours=2)
    events_ingest(
        site=site,
        body={
            "visitor": "cookie-ana-1234",
            "events": [
                {"name": "page_view", "url": "https://www.bank.example/hipotecas"},
                {"name": "mortgage_simulation", "data": {"amount": 150000}},
            ],
        },
        now=visit,
    )
    assert WebEvent.objects.filter(customer__isnull=True).count() == 2
    web_summarise()
    assert not Interaction.objects.filter(customer=ana).exists()  # nobody knew it was him

    signed = portal_sign_in(
        token=login_link_token(_link(ana).pk),
        cookie="cookie-ana-1234",
        origin="https://www.bank.example",
    )

    assert signed.visitor_events == 2
    visitor = WebVisitor.objects.get(cookie_id="cookie-ana-1234")
    assert (visitor.customer, visitor.identified_by) == (ana, "portal")
    web_summarise()
    [entry] = Interaction.objects.filter(customer=ana, channel="web")
    assert "mortgage simulation" in entry.subject


def test_a_cookie_goes_to_the_site_listing_the_portals_origin_not_another(ana):
    other = TrackedSite.objects.create(name="Other", origins="https://other.example")
    events_ingest(
        site=other, body={"visitor": "cookie-ana-5678", "events": [{"name": "page_view"}]}
    )
    portal = TrackedSite.objects.create(name="Portal", origins="https://www.bank.example")

    signed = portal_sign_in(
        token=login_link_token(_link(ana).pk),
        cookie="cookie-ana-5678",
        origin="https://www.bank.example",
    )

    assert signed.visitor_events == 0
    assert WebEvent.objects.get().customer is None  # the other site's visitor is left alone
    assert WebVisitor.objects.get(site=portal, cookie_id="cookie-ana-5678").customer == ana


def test_with_no_site_listing_the_portal_the_oldest_active_site_is_its(ana):
    TrackedSite.objects.create(name="Old, off", origins="https://old.example", active=False)
    site = TrackedSite.objects.create(name="Web", origins="https://www.bank.example")
    TrackedSite.objects.create(name="Later", origins="https://later.example")
    events_ingest(site=site, body={"visitor": "cookie-ana-9012", "events": [{"name": "page_view"}]})

    signed = portal_sign_in(
        token=login_link_token(_link(ana).pk),
        cookie="cookie-ana-9012",
        origin="https://portal.bank.example",
    )

    assert signed.visitor_events == 1 and WebEvent.objects.get().customer == ana
