"""Back and forward in a real browser always show the whole page, never an HTMX fragment.

The list answers its filter and "next page" requests with a fragment on the very URL it
pushes to the address bar. Without ``Vary: HX-Request`` the browser keeps that fragment
in its cache for the URL and shows it, bare and unstyled, when the user comes back.
"""

import re

import pytest
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.customers.models import DuplicateCandidate
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", role=Role.SERVICE_AGENT)


@pytest.fixture
def customers(agent):
    """More than one page of customers, some named Xalbadorrena (no name Faker makes)."""
    made = [CustomerFactory(first_name="Ana", last_name=f"Xalbadorrena {i:02}") for i in range(3)]
    made += CustomerFactory.create_batch(60)
    return made


def _whole_page(page):
    """The page is the styled layout: navbar, stylesheet applied, the list's heading."""
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("heading", name="Customers", level=1)).to_be_visible()
    body_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert body_background != "rgba(0, 0, 0, 0)", "the page has no stylesheet"


def test_back_after_filtering_shows_the_whole_list(page, sign_in, live_server, customers):
    sign_in("agent")
    page.get_by_label("Name or identifier").fill("xalbadorrena")
    expect(page).to_have_url(re.compile(r"\?q=xalb"))
    rows = page.locator("#customers-rows tr[id]")
    expect(rows).to_have_count(3)

    rows.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    page.go_back()

    expect(page).to_have_url(re.compile(r"\?q=xalb"))
    _whole_page(page)
    expect(rows).to_have_count(3)


def test_back_after_loading_more_shows_the_whole_list_with_every_row(
    page, sign_in, live_server, customers
):
    sign_in("agent")
    page.get_by_role("link", name="Load more").click()
    expect(page.locator("#customers-rows tr[id]")).to_have_count(63)
    expect(page).to_have_url(re.compile(r"rows=63"))

    page.locator("#customers-rows tr[id]").nth(60).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    page.go_back()

    expect(page).to_have_url(re.compile(r"rows=63"))
    _whole_page(page)
    expect(page.locator("#customers-rows tr[id]")).to_have_count(63)


def test_back_and_forward_after_opening_a_record(page, sign_in, live_server, customers):
    sign_in("agent")
    page.get_by_label("Name or identifier").fill("xalbadorrena")
    expect(page.locator("#customers-rows tr[id]")).to_have_count(3)
    page.locator("#customers-rows tr[id]").first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    ficha = page.url

    page.go_back()
    _whole_page(page)
    page.go_forward()
    expect(page).to_have_url(ficha)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    # And back twice: to the unfiltered list, whole.
    page.go_back()
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/customers/")
    _whole_page(page)


def test_a_refused_htmx_action_shows_its_reason_above_the_page(page, sign_in, live_server):
    UserFactory(username="boss", role=Role.ADMIN)
    a, b = sorted([CustomerFactory(), CustomerFactory()], key=lambda c: c.pk)
    candidate = DuplicateCandidate.objects.create(customer_a=a, customer_b=b, score=0.9)
    sign_in("boss")
    page.goto(f"{live_server.url}/customers/duplicates/")
    gone = candidate.pk
    candidate.delete()  # someone else dealt with the pair meanwhile

    page.get_by_role("button", name="Not a duplicate").click()

    expect(page.locator("#request-errors").get_by_role("alert")).to_have_text(
        f"Possible duplicate {gone} does not exist or is not visible to you."
    )
    expect(page.get_by_role("navigation", name="Main")).to_have_count(1)  # not nested
