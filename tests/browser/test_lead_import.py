"""The lead import in a real browser, with the real task worker (issue 9): the upload,
the columns guessed from the Spanish headers, the import queued and its page waiting
("0 of 4 rows processed") while no worker runs; then the database worker takes the
job and the page shows the report without a reload: the counts, every rejected row
with all its reasons (each with its column), the CSV to fix them, and undo. Wide and
at 375 px, without sideways scroll or accessibility violations."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.sales.models import Lead, LeadImport
from tests.browser.checks import sideways, violations
from tests.customers.import_files import csv_bytes
from tests.factories import TeamFactory, UserFactory
from tests.sales.test_lead_import import HEADER, ROWS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_queue(settings, tmp_path):
    """Tasks go to the database queue, as in production: nothing runs until a worker
    takes them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_lead_import_waits_for_the_worker_then_reports_and_undoes(
    page, sign_in, live_server, worker_queue
):
    team = TeamFactory(name="Inbound")
    UserFactory(username="marta", role=Role.SALES_REP, teams=[team])
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in("marta")
    page.goto(f"{live_server.url}/sales/leads/import/")
    page.get_by_label(
        "CSV or Excel (.xlsx) file, one lead per row, with a header row"
    ).set_input_files(
        {"name": "feria.csv", "mimeType": "text/csv", "buffer": csv_bytes(ROWS, header=HEADER)}
    )
    page.get_by_role("button", name="Upload and review the columns").click()
    page.wait_for_url(re.compile(r"/sales/leads/import/\d+/$"))
    expect(page.get_by_text("4 rows to import.")).to_be_visible()
    expect(page.get_by_label("Correo electrónico")).to_have_value("email")
    assert violations(page) == []

    page.get_by_role("button", name="Import", exact=True).click()
    progress = page.locator("#lead-import-progress")
    expect(progress).to_contain_text("0 of 4 rows processed")
    expect(progress.locator("#import-status")).to_have_text("Queued")
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    assert not Lead.objects.exists(), "nothing is imported before a worker takes the job"

    call_command(
        "db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0
    )
    assert LeadImport.objects.get().status == "done"

    # The page was polling: the report appears without a reload.
    expect(progress).to_contain_text("4 of 4 rows processed", timeout=10_000)
    expect(progress.locator("#import-created")).to_have_text("2")
    expect(progress.locator("#import-rejected")).to_have_text("2")
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_text("no-es-correo is not a valid e-mail address")).to_be_visible()
    # Every problem of a row, each with its column (issue 9: not only the first).
    luis = progress.get_by_role("listitem").filter(has_text="Row 3")
    expect(luis.get_by_role("listitem")).to_have_count(3)
    for column in ("Cargo", "Correo electrónico", "Teléfono"):
        expect(luis.get_by_role("listitem").filter(has_text=f"{column}:")).to_be_visible()
    assert sorted(Lead.objects.values_list("email", flat=True)) == ["ana@beta.es", "eva@acme.es"]
    assert violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Download them to fix (CSV)").click()
    report = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert report[0][: len(HEADER)] == HEADER
    assert [row[: len(HEADER)] for row in report[1:]] == [ROWS[1], ROWS[2]]
    assert report[0][len(HEADER) :] == ["Row", "Column", "Value", "Problems"]
    assert report[1][len(HEADER) : len(HEADER) + 2] == [
        "3",
        "Cargo; Correo electrónico; Teléfono",
    ]
    assert len(report[1][-1].split("; ")) == 3, "the three reasons"

    page.set_viewport_size({"width": 375, "height": 812})
    assert sideways(page) == ""
    page.set_viewport_size({"width": 1280, "height": 800})

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Undo this import").click()
    expect(page.locator("#lead-import-progress")).to_contain_text("2 leads removed")
    assert not Lead.objects.exists()
