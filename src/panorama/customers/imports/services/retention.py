"""How long an import's file and rejected rows are kept.

Both hold personal data (DNIs, e-mails, phones) copied from the uploaded file. They
serve the import's report; once it is old, or undone, they serve nothing. The job's
record stays (who imported what, when, the counts) and so do its undo records, so an
import can still be undone after its file is gone.

``import_files_forget`` deletes them for one job (undo calls it when it finishes);
``import_files_purge`` for every job finished more than
``PANORAMA_IMPORT_RETENTION_DAYS`` ago, and deletes uploads never started. It runs
after each import and as ``panorama purge_imports`` (a daily cron job).
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import ImportJob

logger = logging.getLogger(__name__)


def import_files_forget(*, job: ImportJob) -> None:
    """Delete the job's stored file and rejected rows (the file once the transaction
    commits, so a rollback never leaves a job pointing at nothing)."""
    job.row_errors.all().delete()
    name, storage = job.file.name, job.file.storage
    if name:
        transaction.on_commit(lambda: _file_delete(storage, name))
    ImportJob.objects.filter(pk=job.pk).update(file="", files_deleted_at=timezone.now())
    job.file.name = ""


def _file_delete(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:  # already gone: nothing to keep private any more
        logger.warning("import file %s could not be deleted", name, exc_info=True)


def import_files_purge(*, days: int | None = None, now: datetime.datetime | None = None) -> int:
    """Forget the files and rejected rows of imports older than the retention; returns
    how many jobs it cleaned. Jobs running or being undone are left alone."""
    days = settings.PANORAMA_IMPORT_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    Status = ImportJob.Status
    # An upload whose mapping was never confirmed never ran: nothing refers to it.
    abandoned = ImportJob.objects.filter(
        status=Status.PENDING, queued_at__isnull=True, created_at__lt=cutoff
    )
    cleaned = 0
    for job in abandoned:
        with transaction.atomic():
            import_files_forget(job=job)
            job.delete()
        cleaned += 1
    old = ImportJob.objects.filter(
        Q(status=Status.UNDONE, undone_at__lt=cutoff)
        | Q(status__in=[Status.DONE, Status.FAILED], finished_at__lt=cutoff),
        files_deleted_at__isnull=True,
    )
    for job in old:
        with transaction.atomic():
            import_files_forget(job=job)
        cleaned += 1
    return cleaned
