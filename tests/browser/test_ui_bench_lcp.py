"""The bench's list LCP, measured in the tests' own Chromium against the live server."""

import pytest

from panorama.accounts.models import Role
from panorama.bench import ui as bench_ui
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_list_lcp_is_measured_in_chromium(browser, live_server):
    CustomerFactory.create_batch(60)
    admin = UserFactory(username="bench-admin", role=Role.ADMIN)
    lcp = bench_ui.list_lcp_ms(live_server.url, admin, print, runs=2, browser=browser)
    assert lcp is not None and lcp > 0
