"""Web tracking: the public endpoint stores a batch only from an allowed origin and with
a good payload (else a clear 4xx and nothing stored), honours "do not track", is rate
limited, links the cookie to the customer (tracked link, web form) and gives him his
earlier anonymous events, emits the named events for the rules, and summarises a visit
on the timeline as one entry."""

import datetime
import json

import pytest
from django.utils import timezone

from panorama.automation.models import WebEvent, WebVisitor
from panorama.automation.services.tracking import link_token, tracked_url, web_summarise
from panorama.channels.models import Interaction

from ..factories import IdentityFactory
from .conftest import ORIGIN

pytestmark = pytest.mark.django_db


def post(client, site, body, origin=ORIGIN, **headers):
    return client.post(
        f"/automation/track/{site.public_key}/",
        data=json.dumps(body) if not isinstance(body, bytes) else body,
        content_type="text/plain",
        headers={"Origin": origin, **headers},
    )


def batch(*names, visitor="cookie-abc-123", **extra):
    return {
        "visitor": visitor,
        "events": [{"name": n, "url": f"{ORIGIN}/{n}"} for n in names],
        **extra,
    }


def test_a_batch_from_an_allowed_origin_is_stored_with_cors(client, site):
    answer = post(client, site, batch("page_view", "page_view"))
    assert answer.status_code == 202 and answer.json() == {"stored": 2}
    assert answer["Access-Control-Allow-Origin"] == ORIGIN
    assert WebEvent.objects.filter(cookie_id="cookie-abc-123").count() == 2
    preflight = client.options(f"/automation/track/{site.public_key}/", headers={"Origin": ORIGIN})
    assert preflight.status_code == 204


@pytest.mark.parametrize(
    "body, origin, status, words",
    [
        (batch("page_view"), "https://evil.example", 403, "origin"),
        (batch("page_view"), "", 403, "origin"),
        (b"{not json", ORIGIN, 422, "JSON"),
        ({"visitor": "x", "events": []}, ORIGIN, 422, "visitor"),
        (batch("page_view", "Bad Name!"), ORIGIN, 422, "Bad Name!"),
        ({"events": [{"name": "sim", "data": {"amount": {"nested": 1}}}]}, ORIGIN, 422, "amount"),
        ({"events": [{"name": "page_view"}] * 51}, ORIGIN, 422, "50"),
    ],
)
def test_a_blocked_origin_or_bad_payload_is_a_clear_4xx_and_nothing_is_stored(
    client, site, body, origin, status, words
):
    answer = post(client, site, body, origin=origin)
    assert answer.status_code == status
    assert words in answer.json()["detail"]
    assert not WebEvent.objects.exists() and not WebVisitor.objects.exists()


def test_an_unknown_key_is_404(client, site):
    answer = client.post("/automation/track/pk_nope/", data="{}", content_type="text/plain")
    assert answer.status_code == 404


def test_do_not_track_stores_nothing(client, site):
    assert post(client, site, batch("page_view"), DNT="1").status_code == 204
    assert post(client, site, batch("page_view"), **{"Sec-GPC": "1"}).status_code == 204
    assert not WebEvent.objects.exists()


def test_the_endpoint_is_rate_limited_per_address(client, site):
    site.rate_per_minute = 3
    site.save()
    codes = [post(client, site, batch("page_view")).status_code for _ in range(4)]
    assert codes == [202, 202, 202, 429]
    assert WebEvent.objects.count() == 3


def test_a_tracked_link_links_the_cookie_and_gives_him_his_earlier_events(
    client, site, customer, emitted
):
    post(client, site, batch("page_view", "page_view"))  # anonymous, before the link
    with emitted() as events:
        post(client, site, batch("page_view", link=link_token(customer.pk)))
    assert WebVisitor.objects.get().customer == customer
    assert WebEvent.objects.filter(customer=customer).count() == 3
    identified = [p for n, p in events if n == "web.visitor_identified"]
    assert identified[0]["events"] == 2 and identified[0]["via"] == "link"
    assert "pn_c=" in tracked_url("https://www.bank.example/offer", customer.pk)


def test_a_forged_link_token_identifies_nobody(client, site, customer):
    post(client, site, batch("page_view", link=link_token(customer.pk)[:-2] + "xx"))
    assert WebVisitor.objects.get().customer is None


def test_a_web_form_submit_identifies_by_e_mail(client, site, customer):
    IdentityFactory(customer=customer, kind="email", value="lucia@example.com")
    body = {
        "visitor": "cookie-abc-123",
        "events": [{"name": "identify", "data": {"email": "lucia@example.com"}}],
    }
    post(client, site, batch("page_view"))
    post(client, site, body)
    assert WebVisitor.objects.get().identified_by == "form"
    assert WebEvent.objects.filter(customer=customer).count() == 2
    assert not WebEvent.objects.filter(data__has_key="email").exists()


def test_named_events_are_emitted_for_the_rules_page_views_are_not(client, site, customer, emitted):
    body = batch("page_view", link=link_token(customer.pk))
    body["events"].append({"name": "mortgage_simulation", "data": {"amount": 200000, "term": 25}})
    with emitted() as events:
        post(client, site, body)
    tracked = [p for n, p in events if n == "web.event_tracked"]
    assert tracked == [
        {
            "site_id": site.pk,
            "name": "mortgage_simulation",
            "customer_id": customer.pk,
            "visitor": "cookie-abc-123",
            "data": {"amount": 200000, "term": 25},
        }
    ]


def test_without_a_cookie_events_are_anonymous(client, site):
    post(client, site, {"events": [{"name": "page_view"}]})
    assert WebEvent.objects.get().cookie_id == "" and not WebVisitor.objects.exists()


def test_a_visit_is_one_timeline_entry_once_it_ended(client, site, customer):
    body = batch("page_view", "page_view", "page_view", link=link_token(customer.pk))
    body["events"].append({"name": "mortgage_simulation", "data": {"amount": 200000}})
    post(client, site, body)
    assert web_summarise() == 0  # the visit goes on
    later = timezone.now() + datetime.timedelta(minutes=31)
    assert web_summarise(later) == 1
    entry = Interaction.objects.get(customer=customer)
    assert entry.channel == "web"
    assert "3 pages viewed" in entry.subject and "mortgage simulation" in entry.subject
    assert "amount=200000" in entry.body
    assert web_summarise(later) == 0


def test_the_pixel_stores_a_page_view_from_an_allowed_page(client, site):
    answer = client.get(
        f"/automation/track/{site.public_key}/pixel.gif",
        {"v": "cookie-abc-123", "u": f"{ORIGIN}/no-js"},
        headers={"Referer": f"{ORIGIN}/no-js"},
    )
    assert answer.status_code == 200 and answer["Content-Type"] == "image/gif"
    assert WebEvent.objects.get().url == f"{ORIGIN}/no-js"
    blocked = client.get(
        f"/automation/track/{site.public_key}/pixel.gif",
        headers={"Referer": "https://evil.example/"},
    )
    assert blocked.status_code == 403 and WebEvent.objects.count() == 1
