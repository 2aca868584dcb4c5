"""The order history import of the UI runs in the task worker: the request checks the
header and queues it; the page says it waits, then how many rows were read, then shows
the report with every rejected row and all its reasons. A worker that dies leaves the
job to the sweep, which queues it again (the import is idempotent)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from panorama.analytics.models import Purchase, PurchaseImport, PurchaseLine
from panorama.analytics.services import purchase_jobs, purchase_rows
from panorama.analytics.services.purchase_jobs import purchase_imports_recover
from panorama.analytics.services.purchases import purchases_import_text
from panorama.customers.models import Customer

from .test_import import LINES

URL = "/analytics/imports/orders/"
BAD = "A-9,erp-9,31/12/2024,x,Pot,1\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _upload(text: str = LINES + BAD) -> SimpleUploadedFile:
    return SimpleUploadedFile("history.csv", text.encode(), content_type="text/csv")


def _polled(client, job: PurchaseImport) -> str:
    return client.get(f"{URL}{job.pk}/", headers={"HX-Request": "true"}).content.decode()


@pytest.mark.django_db
def test_the_page_queues_the_import_and_the_worker_runs_it(
    client, rep, media, django_capture_on_commit_callbacks
):
    client.force_login(rep)
    with django_capture_on_commit_callbacks() as queued:
        answer = client.post(URL, {"file": _upload()})
    assert answer.status_code == 302
    job = PurchaseImport.objects.get()
    assert job.status == "queued" and job.total_rows == 5 and job.file
    assert not Purchase.objects.exists(), "the request imports nothing: the task does"
    partial = _polled(client, job)
    assert "<html" not in partial and 'hx-trigger="every 1s"' in partial
    assert "Queued: 5 rows wait for the task worker." in partial

    # Half-way, as the worker says it between blocks of rows.
    PurchaseImport.objects.filter(pk=job.pk).update(status="running", processed_rows=2)
    partial = _polled(client, job)
    assert "2 of 5 rows read" in partial and 'aria-valuenow="40"' in partial
    PurchaseImport.objects.filter(pk=job.pk).update(status="queued", processed_rows=0)

    stored = media / job.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        for task in queued:  # what the worker does once the request has committed
            task()
    job.refresh_from_db()
    assert job.status == "done" and job.rows == 5 and job.processed_rows == 5
    assert not job.file and not stored.exists(), "the file is not kept once read"
    partial = _polled(client, job)
    assert "hx-trigger" not in partial
    assert "5 rows: 3 orders created, 0 already there, 2 new customers, 1 rows rejected" in partial
    # The one validation: the bad row comes back with both its reasons.
    assert "31/12/2024 is not an ISO date" in partial and "x is not a number" in partial
    assert Purchase.objects.count() == 3 and PurchaseLine.objects.count() == 4


@pytest.mark.django_db
def test_a_header_without_the_columns_is_refused_at_once(client, rep, media):
    client.force_login(rep)
    answer = client.post(URL, {"file": _upload("a,b\n1,2\n")})
    assert answer.status_code == 422 and "missing: customer_id" in answer.content.decode()
    assert not PurchaseImport.objects.exists()


@pytest.mark.django_db
def test_the_task_says_how_far_it_has_read(rep, monkeypatch):
    monkeypatch.setattr(purchase_rows, "PROGRESS_ROWS", 2)
    said: list[int] = []
    job = PurchaseImport(file_name="h.csv", started_by=rep)
    purchases_import_text(job=job, text=LINES + BAD, by=rep, progress=said.append)
    assert said == [0, 2, 4] and job.rows == 5


@pytest.mark.django_db
def test_a_run_whose_worker_died_is_queued_again_then_failed(
    rep, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        job = purchase_jobs.purchase_import_queue(upload=_upload(), by=rep)
    # A worker on another host, silent for two hours.
    dead = {"worker": "elsewhere:1/x", "heartbeat_at": timezone.now() - datetime.timedelta(hours=2)}
    PurchaseImport.objects.filter(pk=job.pk).update(status="running", **dead)
    with django_capture_on_commit_callbacks(execute=True):
        assert purchase_imports_recover() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.restarts == 1 and Purchase.objects.count() == 3

    PurchaseImport.objects.filter(pk=job.pk).update(status="running", restarts=2, **dead)
    assert purchase_imports_recover() == 1
    job.refresh_from_db()
    assert job.status == "failed" and "interrupted too often" in job.error


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_import(client, rep, media, settings):
    """As in production: the job waits in the database queue until a worker takes it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(rep)
    client.post(URL, {"file": _upload()})
    job = PurchaseImport.objects.get()
    assert job.status == "queued" and not Customer.objects.exists()

    call_command(
        "db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0
    )
    job.refresh_from_db()
    assert job.status == "done" and job.orders_created == 3 and job.rejected == 1
    assert [e["row"] for e in job.errors] == [6]
    assert {p["field"] for p in job.errors[0]["problems"]} == {"date", "amount"}


@pytest.mark.django_db
def test_values_reach_the_tables_as_written(rep):
    """The rows go to SQLite as JSON: texts stay texts (an order id of digits keeps its
    zeros, accents stay), amounts are exact."""
    text = (
        "order_id,customer_id,date,amount,product,quantity\n"
        '0012,007,2024-02-29,0.10,"Café «ñ», 1 kg",1.5\n'
        "0012,007,2024-02-29,1e2,Té,2\n"
    )
    job = PurchaseImport(file_name="h.csv", started_by=rep)
    purchases_import_text(job=job, text=text, by=rep)
    assert job.rejected == 0
    purchase = Purchase.objects.get()
    assert purchase.external_id == "0012" and str(purchase.ordered_on) == "2024-02-29"
    assert purchase.amount == Decimal("100.10") and purchase.quantity == Decimal("3.5")
    lines = list(PurchaseLine.objects.order_by("pk").values_list("product", "quantity", "amount"))
    assert lines == [("Café «ñ», 1 kg", Decimal("1.5"), Decimal("0.10")), ("Té", 2, 100)]
    assert purchase.customer.identities.get().value == "007"
