"""The lead import runs in the task worker: the request only queues it; the page and
the API show the progress, then the report; a stopped or killed run resumes without
importing a row twice, or ends failed and can be undone."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from panorama.core import jobs
from panorama.customers.imports.services.jobs import MAX_RESTARTS
from panorama.sales.models import Lead, LeadImport
from panorama.sales.services import lead_import_jobs
from panorama.sales.services.lead_import import lead_import_create, lead_import_undo
from panorama.sales.services.lead_import_jobs import (
    lead_import_process,
    lead_import_start,
    lead_imports_recover,
)
from tests.customers.import_files import csv_bytes
from tests.customers.test_import_interrupted import gone_pid

from .test_lead_import import HEADER, ROWS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _job(rep) -> LeadImport:
    upload = SimpleUploadedFile("leads.csv", csv_bytes(ROWS, header=HEADER))
    return lead_import_create(by=rep, upload=upload)


def test_the_page_queues_the_import_then_shows_its_progress_and_report(
    client, rep, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    job = _job(rep)
    client.force_login(rep)
    url = reverse("sales:lead_import_detail", args=[job.pk])
    mapping = {f"map-{i}": job.mapping.get(h, "") for i, h in enumerate(job.headers)}
    with django_capture_on_commit_callbacks() as queued:
        answer = client.post(url, mapping)
    assert answer.status_code == 302
    assert not Lead.objects.exists(), "the request creates no lead: the task does"
    assert LeadImport.objects.get().status == "queued"

    with django_assert_max_num_queries(8):
        polled = client.get(url, headers={"HX-Request": "true"})
    partial = polled.content.decode()
    assert "<html" not in partial and 'hx-trigger="every 1s"' in partial
    assert "0 of 4 rows processed" in partial and "Undo this import" not in partial

    with django_capture_on_commit_callbacks(execute=True):
        for task in queued:  # what the worker does once the request has committed
            task()
    polled = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "4 of 4 rows processed" in polled and "hx-trigger" not in polled
    assert "no-es-correo is not a valid e-mail address" in polled
    assert "Undo this import" in polled and "Download them to fix (CSV)" in polled
    assert Lead.objects.count() == 2

    client.post(reverse("sales:lead_import_undo", args=[job.pk]))
    assert not Lead.objects.exists()


def test_a_stopped_run_keeps_its_progress_and_resumes_after_it(
    rep, api_as, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(lead_import_jobs, "BATCH_SIZE", 2)
    job = _job(rep)
    with django_capture_on_commit_callbacks():  # the queued task is run by hand below
        lead_import_start(by=rep, import_id=job.pk, mapping=job.mapping)
    jobs.worker_mode(True)
    jobs.request_stop()  # the worker got SIGTERM: stop after the batch being written
    try:
        with django_capture_on_commit_callbacks() as requeued:
            lead_import_process(job_id=job.pk)
    finally:
        jobs.worker_mode(True)  # clears the stop
        jobs.worker_mode(False)
    seen = api_as(rep).get(f"/lead-imports/{job.pk}").json()
    assert (seen["status"], seen["processed_rows"], seen["total_rows"]) == ("queued", 2, 4)
    assert (seen["created_count"], seen["rejected_count"]) == (1, 1)
    assert [r["row_number"] for r in seen["rejected_rows"]] == [3]

    with django_capture_on_commit_callbacks(execute=True):
        for task in requeued:  # queued again: the next worker resumes it
            task()
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count, job.rejected_count) == (
        "done",
        4,
        2,
        2,
    )
    assert sorted(Lead.objects.values_list("email", flat=True)) == ["ana@beta.es", "eva@acme.es"]
    assert list(job.rejected_rows.values_list("row_number", flat=True)) == [3, 4]
    assert lead_import_process(job_id=job.pk).status == "done", "a second delivery does nothing"


def _left_running(rep, monkeypatch, *, worker: str, restarts: int = 0) -> LeadImport:
    """What kill -9 leaves: the first batch committed, the job still ``running``."""
    monkeypatch.setattr(lead_import_jobs, "BATCH_SIZE", 2)
    job = _job(rep)
    lead_import_start(by=rep, import_id=job.pk, mapping=job.mapping)
    jobs.worker_mode(True)
    jobs.request_stop()
    try:
        lead_import_process(job_id=job.pk)
    finally:
        jobs.worker_mode(True)
        jobs.worker_mode(False)
    LeadImport.objects.filter(pk=job.pk).update(
        status="running", worker=worker, restarts=restarts, heartbeat_at=timezone.now()
    )
    return job


def test_the_sweep_resumes_an_import_whose_worker_was_killed(
    rep, monkeypatch, django_capture_on_commit_callbacks
):
    tag = jobs.process_tag().split(":")[0] + f":{gone_pid()}/dead"
    job = _left_running(rep, monkeypatch, worker=tag)
    with django_capture_on_commit_callbacks(execute=True):  # the task runs at once here
        assert lead_imports_recover() == 1
    job.refresh_from_db()
    assert (job.status, job.restarts, job.created_count, job.rejected_count) == ("done", 1, 2, 2)
    assert Lead.objects.count() == 2, "no row imported twice"


def test_an_import_killed_too_often_fails_and_can_be_undone(rep, monkeypatch):
    tag = jobs.process_tag().split(":")[0] + f":{gone_pid()}/dead"
    job = _left_running(rep, monkeypatch, worker=tag, restarts=MAX_RESTARTS)
    with pytest.raises(Exception, match="finished import"):
        lead_import_undo(by=rep, import_id=job.pk)  # running: not yet
    assert lead_imports_recover() == 1
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == (
        "The import was interrupted 3 times (its task worker stopped) and is not resumed "
        "again: it stopped after 2 of 4 rows. The leads imported so far stay: undo the "
        "import to remove them."
    )
    job = lead_import_undo(by=rep, import_id=job.pk)
    assert (job.status, job.undo_deleted_count) == ("undone", 1)
    assert not Lead.objects.exists()


def test_a_job_on_another_host_is_recovered_once_its_heartbeat_is_stale(rep, monkeypatch, settings):
    settings.PANORAMA_JOB_STALE_SECONDS = 600
    job = _left_running(rep, monkeypatch, worker="another-host:4242/abcd")
    assert lead_imports_recover() == 0  # alive as far as anyone here can tell
    LeadImport.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=601)
    )
    assert lead_imports_recover() == 1
    job.refresh_from_db()
    assert (job.status, job.restarts, job.worker) == ("queued", 1, "")


def test_the_api_answers_202_before_any_lead_exists(
    api_as, rep, django_capture_on_commit_callbacks
):
    api = api_as(rep)
    upload = SimpleUploadedFile("leads.csv", csv_bytes(ROWS, header=HEADER))
    mapping = '{"Nombre": "first_name", "Correo electrónico": "email", "Notas": "notes"}'
    with django_capture_on_commit_callbacks() as queued:
        made = api.client.post(
            "/api/v1/lead-imports",
            {"file": upload, "mapping": mapping},
            headers={"Authorization": f"Bearer {api.key}"},
        )
    assert made.status_code == 202, made.content
    assert made.json()["status"] == "queued" and not Lead.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        for task in queued:
            task()
    done = api.get(f"/lead-imports/{made.json()['id']}").json()
    assert (done["status"], done["processed_rows"], done["created_count"]) == ("done", 4, 2)
