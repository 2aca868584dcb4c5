"""An import's file and rejected rows (DNIs, e-mails, phones) are not kept for ever:
deleted when the import is undone, and past the retention setting."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from panorama.customers.imports.services.jobs import import_file_sync, import_job_create
from panorama.customers.imports.services.undo import import_job_undo
from panorama.customers.models import ImportJob, ImportRowError

from .import_files import ROWS_ES, csv_bytes

BAD_ROW = ["Luis", "Pérez", "12345678A", "", "luis@example.com", "", "", ""]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def imported(tmp_path, by, name="clientes.csv") -> ImportJob:
    path = tmp_path / name
    path.write_bytes(csv_bytes([*ROWS_ES, BAD_ROW]))
    job = import_file_sync(path=path, by=by)
    assert job.rejected_count == 1
    return job


def stored(job: ImportJob) -> Path:
    return Path(job.file.path)


def test_undo_deletes_the_stored_file_and_the_rejected_rows(tmp_path, admin_user):
    job = imported(tmp_path, admin_user)
    file = stored(job)
    assert file.exists() and job.row_errors.exists()

    with TestCase.captureOnCommitCallbacks(execute=True):
        import_job_undo(job=job, by=admin_user)

    job.refresh_from_db()
    assert job.status == "undone" and job.files_deleted_at is not None
    assert not file.exists() and job.file.name == ""
    assert not ImportRowError.objects.filter(job=job).exists()
    assert "12345678A" not in str(ImportJob.objects.filter(pk=job.pk).values().get())


def test_files_past_the_retention_are_purged_the_rest_kept(settings, tmp_path, admin_user):
    settings.PANORAMA_IMPORT_RETENTION_DAYS = 30
    old = imported(tmp_path, admin_user, "viejo.csv")
    ImportJob.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=31)
    )
    recent = imported(tmp_path, admin_user, "reciente.csv")
    with TestCase.captureOnCommitCallbacks(execute=True):
        abandoned = import_job_create(
            upload=SimpleUploadedFile("nunca.csv", csv_bytes(ROWS_ES)), by=admin_user, start=False
        )
    ImportJob.objects.filter(pk=abandoned.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    old_file, recent_file, abandoned_file = stored(old), stored(recent), stored(abandoned)
    out = io.StringIO()

    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("purge_imports", stdout=out)
    assert "deleted for 2 imports" in out.getvalue()

    old.refresh_from_db()
    assert old.files_deleted_at is not None and not old.row_errors.exists()
    assert not old_file.exists()
    assert recent_file.exists() and recent.row_errors.count() == 1
    # An upload whose mapping was never confirmed is gone altogether.
    assert not ImportJob.objects.filter(pk=abandoned.pk).exists() and not abandoned_file.exists()

    # The purged import can still be undone: its undo needs neither file nor rows.
    with TestCase.captureOnCommitCallbacks(execute=True):
        import_job_undo(job=old, by=admin_user)
    old.refresh_from_db()
    assert old.status == "undone" and not old.undo_error


def test_the_report_says_the_file_was_deleted(client, tmp_path, admin_user):
    job = imported(tmp_path, admin_user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        import_job_undo(job=job, by=admin_user)
    client.force_login(admin_user)
    page = client.get(f"/customers/imports/{job.pk}/").content.decode()
    assert "data-files-deleted" in page and "No row was rejected" not in page
