"""The bench's list paint figures, measured in the tests' own Chromium against the live
server: the list's LCP is measured, and its load does not shift the layout (the issue's
"layout shift < 0.01"), on a desktop and on a phone."""

import pytest

from panorama.accounts.models import Role
from panorama.bench import ui as bench_ui
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [bench_ui.DESKTOP, bench_ui.PHONE], ids=["1280", "375"])
def test_the_list_paints_without_shifting(browser, live_server, viewport):
    CustomerFactory.create_batch(60)
    admin = UserFactory(username="bench-admin", role=Role.ADMIN)
    paint = bench_ui.list_paint(
        live_server.url, admin, print, runs=2, browser=browser, viewport=viewport
    )
    assert paint["ui_list_lcp_ms"] is not None and paint["ui_list_lcp_ms"] > 0
    assert paint["ui_list_cls"] is not None and paint["ui_list_cls"] < 0.01, paint
