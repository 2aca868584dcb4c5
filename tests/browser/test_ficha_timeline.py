"""The ficha's timeline in Chromium: "Load more" appends the next page and takes the
focus to it; a channel chip filters it and the address keeps the filter (reload, Back)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from panorama.accounts.models import Role
from tests.browser.checks import sideways, violations
from tests.factories import CustomerFactory, InteractionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def marta(db):
    """70 contacts, one a minute: every fifth one an e-mail, the others calls."""
    UserFactory(username="agent", role=Role.SERVICE_AGENT)
    customer = CustomerFactory(first_name="Marta", last_name="Ibáñez")
    start = timezone.now() - datetime.timedelta(days=1)
    for n in range(70):
        InteractionFactory(
            customer=customer,
            channel="email" if n % 5 == 0 else "phone",
            subject=f"Contact {n:03d}",
            occurred_at=start + datetime.timedelta(minutes=n),
        )
    return customer


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "375"])
def test_load_more_appends_and_a_chip_filters_the_timeline(
    page, sign_in, live_server, marta, viewport
):
    sign_in("agent")
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/customers/{marta.pk}/")
    timeline = page.locator("#panel-timeline")
    entries = timeline.locator(".timeline-entry")
    expect(entries).to_have_count(50)
    expect(entries.first).to_contain_text("Contact 069")
    # An empty section is one line (its name, "none yet", its action), not a card.
    addresses = page.locator("section[aria-labelledby=sec-addresses]")
    expect(addresses).to_have_text(re.compile(r"^\s*Addresses\s+none yet\s+Add an address\s*$"))
    assert addresses.bounding_box()["height"] <= 48

    timeline.get_by_role("button", name="Load more").click()
    expect(entries).to_have_count(70)
    expect(entries.nth(50)).to_contain_text("Contact 019")
    expect(entries.last).to_contain_text("Contact 000")
    expect(entries.nth(50)).to_be_focused()  # not lost on the vanished button
    expect(timeline.get_by_role("status")).to_have_text(
        "20 more contacts shown. That is the whole timeline."
    )
    expect(timeline.get_by_role("button", name="Load more")).to_have_count(0)

    chips = timeline.get_by_role("group", name="Filter the timeline")
    chips.get_by_role("link", name="E-mail", exact=True).click()
    expect(entries).to_have_count(14)
    for n in range(14):
        expect(entries.nth(n)).to_contain_text("E-mail")
    expect(chips.get_by_role("link", name="E-mail", exact=True)).to_have_attribute(
        "aria-current", "true"
    )
    expect(timeline.get_by_role("status")).to_have_text("Showing E-mail contacts only")
    expect(page).to_have_url(re.compile(r"/customers/\d+/\?channel=email$"))
    assert violations(page) == []
    if viewport is PHONE:
        assert sideways(page) == ""

    page.reload()  # the address draws the same filtered timeline
    expect(entries).to_have_count(14)
    chips.get_by_role("link", name="All channels").click()
    expect(entries).to_have_count(50)
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))


def test_a_slow_chip_shows_the_skeleton_over_the_contacts_without_moving_them(
    page, sign_in, live_server, marta
):
    sign_in("agent")
    page.set_viewport_size(WIDE)
    page.goto(f"{live_server.url}/customers/{marta.pk}/")
    held = []
    page.route(re.compile(r"/timeline/\?channel=email"), lambda route: held.append(route))
    contacts = page.locator("#timeline-body .pn-skeleton-host")
    skeleton = contacts.locator(".pn-skeleton")
    expect(skeleton).to_be_hidden()
    before = contacts.bounding_box()
    chips = page.get_by_role("group", name="Filter the timeline")
    chips.get_by_role("link", name="E-mail", exact=True).click()
    # Revealed 300 ms into the request (the animation's delay, not a wall clock), over
    # the old contacts' own box: nothing below moves.
    page.wait_for_function(
        "() => document.querySelector('#timeline-body .pn-skeleton').getAnimations().length"
    )
    delays = skeleton.evaluate("s => s.getAnimations().map(a => a.effect.getTiming().delay)")
    assert delays == [300]
    expect(skeleton).to_be_visible()
    assert skeleton.bounding_box() == contacts.bounding_box() == before
    held[0].continue_()
    expect(page.locator("#panel-timeline .timeline-entry")).to_have_count(14)
    expect(page.locator("#timeline-body .pn-skeleton")).to_be_hidden()
