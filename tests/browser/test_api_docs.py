"""The API docs page draws in a real browser from our own origin alone."""

import pytest
from playwright.sync_api import expect

from panorama.accounts.models import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_page_shows_the_operations(page, sign_in, live_server):
    UserFactory(username="boss", role=Role.ADMIN)
    sign_in("boss")

    page.goto(f"{live_server.url}/api/v1/docs")

    # The page draws once the schema arrives: built on request for every operation of
    # every app (several seconds on a loaded 2-core CI machine).
    expect(page.get_by_role("heading", name="Panorama API")).to_be_visible(timeout=30_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/identify").first).to_be_visible()
    # The page fixture fails the test if any request left our origin.
