"""The order history import in a real browser, with the real task worker (issue 13):
the upload queues the import and its page says the rows wait for the worker; then the
database worker takes the job and the page shows the report without a reload: the
counts, the rejected row with both its reasons and the CSV to fix it; the past imports
list it. Wide and at 375 px, without sideways scroll or accessibility violations."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.analytics.models import Purchase, PurchaseImport
from tests.analytics.test_import import LINES
from tests.browser.checks import sideways, violations
from tests.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD = "A-9,erp-9,31/12/2024,x,Pot,1\n"


@pytest.fixture
def worker_queue(settings, tmp_path):
    """Tasks go to the database queue, as in production: nothing runs until a worker
    takes them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_an_order_import_waits_for_the_worker_then_reports(
    page, sign_in, live_server, worker_queue
):
    UserFactory(username="marta", role=Role.SALES_REP, teams=[TeamFactory(name="North")])
    # The live server's first pages (static files included) on a loaded 2-core machine
    # took more than the usual 10 s to load: only the navigations wait longer.
    page.set_default_navigation_timeout(60_000)
    sign_in("marta")
    page.goto(f"{live_server.url}/analytics/imports/orders/")
    expect(page.get_by_text("No import yet.")).to_be_visible()
    page.get_by_label("CSV file with the columns customer_id").set_input_files(
        {"name": "erp.csv", "mimeType": "text/csv", "buffer": (LINES + BAD).encode()}
    )
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/analytics/imports/orders/\d+/$"))
    progress = page.locator("#orders-import-progress")
    expect(progress).to_contain_text("Queued: 5 rows wait for the task worker.")
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    assert not Purchase.objects.exists(), "nothing is imported before a worker takes the job"
    assert violations(page) == []

    call_command(
        "db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0
    )
    assert PurchaseImport.objects.get().status == "done"

    # The page was polling: the report appears without a reload.
    expect(progress.locator("#import-summary")).to_contain_text(
        "5 rows: 3 orders created, 0 already there, 2 new customers, 1 rows rejected",
        timeout=10_000,
    )
    expect(progress.get_by_role("progressbar")).to_have_count(0)
    rejected = progress.locator("#rejected-rows")
    expect(rejected).to_contain_text("31/12/2024 is not an ISO date")
    expect(rejected).to_contain_text("x is not a number")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download to fix and import again").click()
    assert "31/12/2024" in download.value.path().read_text(encoding="utf-8-sig")
    assert violations(page) == []
    page.set_viewport_size({"width": 375, "height": 812})
    assert sideways(page) == ""
    page.set_viewport_size({"width": 1366, "height": 900})

    page.get_by_role("link", name="Import another file").click()
    expect(page.get_by_role("link", name="erp.csv")).to_be_visible()
