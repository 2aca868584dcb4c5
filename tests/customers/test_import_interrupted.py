"""Imports that stop half-way: resumed where they stopped, or failed and undoable.

The real processes (kill -9, SIGTERM, a busy database) are in
tests/core/test_jobs_processes.py; here the same paths run in this process, with
small batches.
"""

import datetime
import subprocess

import pytest
from django.utils import timezone

from panorama.core import jobs
from panorama.customers.imports.services import jobs as importing
from panorama.customers.imports.services import run
from panorama.customers.imports.services.jobs import (
    import_file_sync,
    import_job_create,
    import_job_run,
    import_job_undo,
    import_jobs_recover,
)
from panorama.customers.models import Customer, ImportJob

from .import_files import csv_bytes

ROWS = [[f"Nombre{n}", "Pérez", "", "", f"c{n}@example.com", "", "", ""] for n in range(35)]
ROWS.append(["Otra", "Vez", "", "", "c3@example.com", "", "", ""])  # repeats row 5


@pytest.fixture(autouse=True)
def small_batches(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(run, "BATCH_SIZE", 10)
    yield
    jobs.worker_mode(False)


class Stop(BaseException):
    """What a second SIGTERM (sys.exit) or Ctrl-C raises inside the run."""


def stop_after_first_batch(exc: type[BaseException]):
    def on_progress(job):
        if job.processed_rows >= 10:
            raise exc

    return on_progress


def gone_pid() -> int:
    process = subprocess.Popen(["true"])  # noqa: S607
    process.wait()
    return process.pid


def test_ctrl_c_in_the_cli_fails_the_import_which_can_be_undone(
    tmp_path, admin_user, django_capture_on_commit_callbacks
):
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes(ROWS))
    with pytest.raises(KeyboardInterrupt):
        import_file_sync(
            path=path, by=admin_user, on_progress=stop_after_first_batch(KeyboardInterrupt)
        )

    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.error.startswith("The import was interrupted after 10 of 36 rows.")
    assert "undo the import to remove them" in job.error
    assert Customer.objects.count() == 10

    with django_capture_on_commit_callbacks(execute=True):  # the undo task runs at once
        import_job_undo(job=job, by=admin_user)
    job.refresh_from_db()
    assert job.status == "undone"
    assert Customer.objects.count() == 0


def test_a_worker_stopped_mid_run_queues_the_job_again_and_it_resumes(
    admin_user, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    job = import_job_create(
        upload=SimpleUploadedFile("c.csv", csv_bytes(ROWS)), by=admin_user, start=False
    )
    ImportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now())
    jobs.worker_mode(True)
    with django_capture_on_commit_callbacks() as queued, pytest.raises(Stop):
        import_job_run(job_id=job.pk, on_progress=stop_after_first_batch(Stop))
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.worker) == ("pending", 10, "")
    assert Customer.objects.count() == 10

    for callback in queued:  # among them the task queued for the next worker: it runs
        callback()
    job.refresh_from_db()

    assert (job.status, job.processed_rows, job.created_count, job.rejected_count) == (
        "done",
        36,
        35,
        1,
    )
    assert Customer.objects.count() == 35
    # The file's repeated e-mail is still caught although its first row ran before.
    assert job.row_errors.get().message == "Row 5 of this file is the same customer: same E-mail."


def _left_running(admin_user, *, worker: str, restarts: int = 0, heartbeat=None) -> ImportJob:
    """An import its worker left half-way and ``running``: what kill -9 leaves."""
    jobs.worker_mode(True)
    from django.core.files.uploadedfile import SimpleUploadedFile

    job = import_job_create(
        upload=SimpleUploadedFile("c.csv", csv_bytes(ROWS)), by=admin_user, start=False
    )
    ImportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now())
    with pytest.raises(Stop):
        import_job_run(job_id=job.pk, on_progress=stop_after_first_batch(Stop))
    jobs.worker_mode(False)
    ImportJob.objects.filter(pk=job.pk).update(
        status="running",
        worker=worker,
        restarts=restarts,
        heartbeat_at=heartbeat or timezone.now(),
    )
    return job


def test_the_worker_resumes_an_import_whose_process_is_gone(
    admin_user, django_capture_on_commit_callbacks
):
    tag = jobs.process_tag().split(":")[0] + f":{gone_pid()}/dead"
    job = _left_running(admin_user, worker=tag)

    with django_capture_on_commit_callbacks(execute=True):  # the task runs at once here
        assert import_jobs_recover() == 1

    job.refresh_from_db()
    assert (job.status, job.restarts, job.created_count) == ("done", 1, 35)
    assert Customer.objects.count() == 35


def test_an_import_interrupted_too_often_is_failed_and_can_be_undone(
    api, admin_user, django_capture_on_commit_callbacks
):
    tag = jobs.process_tag().split(":")[0] + f":{gone_pid()}/dead"
    job = _left_running(admin_user, worker=tag, restarts=importing.MAX_RESTARTS)
    assert api.post(f"/imports/{job.pk}/undo").status_code == 409  # running: not yet

    assert import_jobs_recover() == 1

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == (
        "The import was interrupted 3 times (its task worker stopped) and is not resumed "
        "again: it stopped after 10 of 36 rows. The rows imported so far stay: undo the "
        "import to remove them, or import the file again to add the rest."
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/imports/{job.pk}/undo")
    assert r.status_code == 202
    assert api.get(f"/imports/{job.pk}").json()["status"] == "undone"
    assert Customer.objects.count() == 0


def test_a_job_on_another_host_is_recovered_only_once_its_heartbeat_is_stale(settings, admin_user):
    settings.PANORAMA_JOB_STALE_SECONDS = 600
    job = _left_running(admin_user, worker="another-host:4242/abcd")
    assert import_jobs_recover() == 0  # alive as far as anyone here can tell

    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=601)
    )
    assert import_jobs_recover() == 1
    job.refresh_from_db()
    assert (job.status, job.restarts, job.worker) == ("pending", 1, "")


def test_a_run_whose_job_was_taken_from_it_stops_without_writing(tmp_path, admin_user):
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes(ROWS))

    def failed_by_someone_else(job):
        # e.g. a sweep on another host found its heartbeat stale, then the user undid it
        ImportJob.objects.filter(pk=job.pk).update(status="failed", error="lost")

    job = import_file_sync(path=path, by=admin_user, on_progress=failed_by_someone_else)

    assert (job.status, job.error, job.processed_rows) == ("failed", "lost", 10)
    assert Customer.objects.count() == 10  # the second batch was rolled back
