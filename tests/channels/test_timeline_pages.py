"""The ficha's timeline: channel chips and "Load more" (channels:timeline)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panorama.accounts.models import Role
from tests.factories import CustomerFactory, InteractionFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def rep(db):
    return UserFactory(username="rep", role=Role.SALES_REP)


@pytest.fixture
def customer(rep):
    """120 contacts, one a minute, newest last: phone, e-mail, note in turn."""
    customer = CustomerFactory(owner=rep)
    start = timezone.now() - datetime.timedelta(days=1)
    channels = ["phone", "email", "note"]
    for n in range(120):
        InteractionFactory(
            customer=customer,
            channel=channels[n % 3],
            subject=f"Contact {n:03d}",
            occurred_at=start + datetime.timedelta(minutes=n),
        )
    return customer


def _subjects(html: str) -> list[str]:
    return re.findall(r'<div class="subject mt-1">(Contact \d+)</div>', html)


def _more_url(html: str) -> str:
    found = re.search(r'hx-get="(/channels/customers/\d+/timeline/\?[^"]*before[^"]*)"', html)
    return found.group(1).replace("&amp;", "&") if found else ""


def test_the_ficha_shows_fifty_and_load_more_appends_the_next_fifty_in_order(client, rep, customer):
    client.force_login(rep)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert _subjects(page) == [f"Contact {n:03d}" for n in range(119, 69, -1)]
    assert "Load more" in page

    second = client.get(_more_url(page), headers=HTMX)
    html = second.content.decode()
    assert second.status_code == 200
    assert _subjects(html) == [f"Contact {n:03d}" for n in range(69, 19, -1)]
    # Appended entries, the first one focusable; the button and the announcement out of band.
    assert "<ol" not in html
    assert 'tabindex="-1" data-pn-focus' in html
    assert 'id="timeline-more" hx-swap-oob="true"' in html
    assert "50 more contacts shown" in html

    last = client.get(_more_url(html), headers=HTMX).content.decode()
    assert _subjects(last) == [f"Contact {n:03d}" for n in range(19, -1, -1)]
    assert _more_url(last) == ""
    assert "That is the whole timeline." in last


def test_every_page_costs_the_same_number_of_queries(client, rep, customer):
    client.force_login(rep)
    url = _more_url(client.get(f"/customers/{customer.pk}/").content.decode())
    counts = []
    for _page in range(2):
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url, headers=HTMX).content.decode()
        counts.append(len(queries))
        url = _more_url(html)
    # Session, user, the customer (scoped), the page: whatever the depth.
    assert counts[0] == counts[1] <= 4


def test_a_channel_chip_shows_only_that_channel_and_pages_within_it(client, rep, customer):
    client.force_login(rep)
    url = f"/channels/customers/{customer.pk}/timeline/"
    response = client.get(f"{url}?channel=email", headers=HTMX)
    html = response.content.decode()
    emails = [f"Contact {n:03d}" for n in range(118, -1, -3)]
    assert _subjects(html) == emails
    assert 'aria-current="true"' in html
    assert re.search(r'aria-current="true"\s+hx-get="[^"]*channel=email"', html)
    assert "Showing E-mail contacts only" in html
    assert _more_url(html) == ""  # 40 e-mails: one page

    # The ficha's own address keeps the filter (the chip pushes it; a reload draws it).
    page = client.get(f"/customers/{customer.pk}/?channel=note").content.decode()
    assert _subjects(page) == [f"Contact {n:03d}" for n in range(119, -1, -3)]
    chip = f'href="/customers/{customer.pk}/?channel=note#panel-timeline" aria-current="true"'
    assert chip in page

    # Without JavaScript the fragment's address leads to the ficha with the filter.
    plain = client.get(f"/channels/customers/{customer.pk}/timeline/?channel=email")
    assert plain.status_code == 302
    assert plain["Location"] == f"/customers/{customer.pk}/?channel=email"


def test_an_unknown_channel_shows_everything_and_a_broken_cursor_is_refused(client, rep, customer):
    client.force_login(rep)
    html = client.get(
        f"/channels/customers/{customer.pk}/timeline/?channel=pigeon", headers=HTMX
    ).content.decode()
    assert len(_subjects(html)) == 50
    broken = client.get(
        f"/channels/customers/{customer.pk}/timeline/?before=yesterday&before_id=3", headers=HTMX
    )
    assert broken.status_code == 422


def test_another_teams_customer_timeline_is_not_found(client, customer):
    outsider = UserFactory(username="outsider", role=Role.SALES_REP, teams=[TeamFactory()])
    client.force_login(outsider)
    response = client.get(f"/channels/customers/{customer.pk}/timeline/", headers=HTMX)
    assert response.status_code == 404
    assert "Contact" not in response.content.decode()


def test_the_360_api_still_gives_the_fifty_newest(client, rep, customer):
    client.force_login(rep)
    data = client.get(f"/api/v1/customers/{customer.pk}/360").json()
    timeline = next(p["data"] for p in data["panels"] if p["key"] == "timeline")
    assert [item["subject"] for item in timeline] == [
        f"Contact {n:03d}" for n in range(119, 69, -1)
    ]
