"""The portal's web-tracking banner: on every portal page (the sign-in pages too) while
the portal's tracked site asks consent and the browser has not answered; the answer is
the snippet's own cookie (``pn_consent``, what ``panorama("consent", …)`` sets), so the
banner does not come back; a signed-in customer's acceptance is his consent to
profiling and analytics, recorded through the consent service."""

import pytest

from panorama.automation.models import TrackedSite
from panorama.customers.models import Consent
from tests.factories import CustomerFactory

from .test_views import _signed_in

pytestmark = pytest.mark.django_db

BANNER = 'id="portal-tracking-consent"'
ANSWER = "/portal/tracking-consent/"


@pytest.fixture
def site():
    return TrackedSite.objects.create(name="Web", origins="https://www.example.com")


def test_the_banner_shows_only_for_a_site_that_asks_consent(client, site):
    page = client.get("/portal/login/").content.decode()
    assert BANNER in page and 'src="/static/portal/consent-banner.js"' in page
    assert 'data-consent="required"' in page
    TrackedSite.objects.filter(pk=site.pk).update(require_consent=False)
    assert BANNER not in client.get("/portal/login/").content.decode()
    TrackedSite.objects.all().delete()
    assert BANNER not in client.get("/portal/login/").content.decode()


def test_accepting_sets_the_snippets_cookie_and_records_his_consent(client, site):
    ana = CustomerFactory(first_name="Ana")
    _signed_in(client, ana)
    assert BANNER in client.get("/portal/").content.decode()

    response = client.post(ANSWER, {"decision": "accept", "next": "/portal/account/"})

    assert response.status_code == 302 and response["Location"] == "/portal/account/"
    cookie = response.cookies["pn_consent"]
    assert cookie.value == "yes" and not cookie["httponly"] and cookie["samesite"] == "Lax"
    consent = Consent.objects.get(customer=ana)
    assert (consent.purpose, consent.channel, consent.granted) == ("profiling", "any", True)
    assert consent.source == "Customer portal, web tracking banner"
    assert BANNER not in client.get("/portal/").content.decode()


def test_refusing_is_remembered_and_records_nothing(client, site):
    ana = CustomerFactory(first_name="Ana")
    _signed_in(client, ana)
    response = client.post(ANSWER, {"decision": "refuse"}, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 204 and response.cookies["pn_consent"].value == "no"
    assert BANNER not in client.get("/portal/").content.decode()
    assert not Consent.objects.exists()


def test_an_anonymous_answer_or_a_strange_one(client, site):
    accepted = client.post(ANSWER, {"decision": "accept", "next": "https://evil.example/"})
    assert accepted.status_code == 302 and accepted["Location"] == "/portal/"  # not elsewhere
    assert accepted.cookies["pn_consent"].value == "yes"
    assert not Consent.objects.exists()  # nobody signed in: nobody to record it for
    assert client.post(ANSWER, {"decision": "maybe"}).status_code == 400
    assert client.get(ANSWER).status_code == 405


def test_his_profiling_switch_answers_the_banner_too(client, site):
    ana = CustomerFactory(first_name="Ana")
    _signed_in(client, ana)
    client.cookies["pn_vid"] = "browser-ana-01"
    given = client.post("/portal/account/consents/", {"consent": ["profiling:any"]})
    assert given.cookies["pn_consent"].value == "yes"
    withdrawn = client.post("/portal/account/consents/", {"consent": []})
    assert withdrawn.cookies["pn_consent"].value == "no"
    assert withdrawn.cookies["pn_vid"].value == ""  # the snippet's visitor cookie deleted
    assert list(
        Consent.objects.filter(customer=ana).order_by("id").values_list("granted", flat=True)
    ) == [True, False]
