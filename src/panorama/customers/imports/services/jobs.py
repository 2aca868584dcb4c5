"""Customer import from CSV/XLSX: check the upload, run it in the background, undo it.

Good rows are kept, bad rows reported: every row that fails the validation of
``customer_create`` becomes an ImportRowError (row number as a spreadsheet shows it,
the header being row 1; the file's column at fault; the message) and the other rows
are imported. A file that cannot be read at all, or whose mapping lacks a name column
or an identifier column, is refused before any job starts.

The run (``run.py``) commits one transaction per batch of ``BATCH_SIZE`` rows (not one
for the whole file) so the progress shows while it runs and a large file never holds the
write lock for minutes. The batch also counts its rows in the job (``processed_rows``), so a
run that stops half-way knows where it stopped:
- a graceful stop of the worker (SIGTERM) ends the run after the batch being written
  and queues the job again; the next worker resumes it at the next row;
- a worker killed outright leaves the job ``running``: the next worker to start (or
  the sweep of a running one, ``import_jobs_recover``) resumes it, ``MAX_RESTARTS``
  times at most, then marks it ``failed`` with what was imported;
- a busy database (a lock held past the busy timeout) makes a batch wait and try again
  (``core.jobs.lock_retry``), and fails the job only if it stays busy.
A ``failed`` import can be undone like a finished one (``undo.py``: in batches too,
and never taking what others added or changed since).
"""

import logging
import os
from datetime import timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core import jobs
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.customers.models import ImportJob

from .files import Source, source_inspect_limited
from .mapping import definitions_by_key, mapping_guess, mapping_resolve
from .run import Progress, job_rows_import
from .undo import import_job_undo, import_job_undo_run  # noqa: F401 (re-exported)

logger = logging.getLogger(__name__)
MAX_RESTARTS = 2  # an import its worker died under is resumed twice, then failed


class FileTooLarge(ValidationFailed):
    status_code = 413
    code = "too_large"


def upload_size_check(size: int) -> None:
    limit = settings.PANORAMA_MAX_IMPORT_BYTES
    if size > limit:
        raise FileTooLarge(
            _(
                "The file is %(size)s; the largest import accepted is %(limit)s. "
                "Split it into smaller files."
            )
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            field="file",
        )


def _enqueue(job: ImportJob) -> None:
    from ..tasks import run_import

    job.queued_at = timezone.now()
    job.save(update_fields=["queued_at", "mapping"])
    transaction.on_commit(lambda: run_import.enqueue(job.pk))
    emit("import.queued", job_id=job.pk, by=job.created_by_id)


@transaction.atomic
def import_job_create(
    *,
    upload: UploadedFile | str | Path,
    mapping: dict[str, str] | None = None,
    by: User | None,
    start: bool = True,
) -> ImportJob:
    """Check ``upload`` and record the job; with ``start`` queue it after commit.

    Without ``start`` (the wizard) the guessed mapping waits for review and
    ``import_job_start``; with it, the mapping must already name a name column and an
    identifier column, or nothing is written.
    """
    job = _job_record(upload=upload, mapping=mapping, by=by, resolve=start)
    if start:
        _enqueue(job)
    return job


def _job_record(
    *,
    upload: UploadedFile | str | Path,
    mapping: dict[str, str] | None,
    by: User | None,
    resolve: bool,
) -> ImportJob:
    ensure_can(by, "customers.import")
    if isinstance(upload, (str, Path)):
        path = Path(upload)
        if not path.is_file():
            raise ValidationFailed(_("There is no file %(path)s.") % {"path": path}, field="file")
        upload_size_check(path.stat().st_size)
        fh: IO[bytes] = path.open("rb")
        name = path.name
    else:
        upload_size_check(upload.size or 0)
        fh, name = upload, os.path.basename(upload.name or "import.csv")
    try:
        source = source_inspect_limited(fh, name)
        definitions = definitions_by_key()
        if resolve:
            resolved = mapping_resolve(
                headers=source.headers, mapping=mapping, definitions=definitions
            )
        else:
            resolved = mapping_guess(source.headers, definitions)
        job = ImportJob(
            original_name=name[:255],
            file_format=source.file_format,
            encoding=source.encoding,
            delimiter=source.delimiter,
            mapping=resolved,
            headers=source.headers,
            created_by=by,
        )
        fh.seek(0)
        job.file.save(name, File(fh, name=name), save=False)
        job.save()
    finally:
        if isinstance(upload, (str, Path)):
            fh.close()
    return job


def import_job_preview(*, job: ImportJob) -> Source:
    """Header and first rows of the stored file, for the wizard's mapping step."""
    with job.file.open("rb") as fh:
        return source_inspect_limited(fh, job.original_name)


@transaction.atomic
def import_job_start(
    *, job: ImportJob, mapping: dict[str, str] | None, by: User | None
) -> ImportJob:
    """Confirm the reviewed mapping of a waiting job and queue it."""
    ensure_can(by, "customers.import")
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.PENDING or job.queued_at is not None:
        raise Conflict(_("This import has already been started."))
    source = import_job_preview(job=job)
    job.mapping = mapping_resolve(
        headers=source.headers, mapping=mapping, definitions=definitions_by_key()
    )
    _enqueue(job)
    return job


def _fail(job: ImportJob, message: str, *, owned: bool = False) -> int:
    """Mark a job that has not finished ``failed`` (with ``owned``, only while the process
    ``job.worker`` still runs it) and say so (``import.failed``)."""
    with transaction.atomic():
        unfinished = ImportJob.objects.filter(
            pk=job.pk, status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]
        )
        if owned:
            unfinished = unfinished.filter(worker=job.worker)
        failed = unfinished.update(
            status=ImportJob.Status.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        if failed:
            emit("import.failed", job_id=job.pk, error=message[:2000], by=job.created_by_id)
    return failed


def _stopped_message(job_id: int, reason: str) -> str:
    counts = ImportJob.objects.filter(pk=job_id).values("processed_rows", "total_rows").get()
    done = {"done": counts["processed_rows"], "total": counts["total_rows"]}
    if reason == "busy":
        said = _(
            "The database stayed busy for too long: the import stopped after %(done)s of "
            "%(total)s rows."
        )
    elif reason == "restarts":
        said = _(
            "The import was interrupted %(times)s times (its task worker stopped) and is "
            "not resumed again: it stopped after %(done)s of %(total)s rows."
        )
        done["times"] = MAX_RESTARTS + 1
    else:
        said = _("The import was interrupted after %(done)s of %(total)s rows.")
    return (
        said % done
        + " "
        + _(
            "The rows imported so far stay: undo the import to remove them, or import "
            "the file again to add the rest."
        )
    )


def _requeue(job: ImportJob) -> None:
    """Give a job this process stops running back to the queue; the next run resumes
    it after its last committed batch."""
    from ..tasks import run_import

    with transaction.atomic():
        taken = ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.RUNNING, worker=job.worker
        ).update(status=ImportJob.Status.PENDING, worker="")
        if taken:
            transaction.on_commit(lambda: run_import.enqueue(job.pk))


def import_job_run(*, job_id: int, on_progress: Progress | None = None) -> ImportJob:
    """Import the rows of a queued job in batches; safe to call again on the same job.

    A job that an earlier run left half-way (``processed_rows``) is resumed at the next
    row."""
    with transaction.atomic():
        job = (
            # of=self: PostgreSQL cannot lock the nullable side of the created_by join.
            ImportJob.objects.select_for_update(of=("self",))
            .select_related("created_by")
            .get(pk=job_id)
        )
        if job.status != ImportJob.Status.PENDING:
            return job  # a task delivered twice: the first delivery owns the job
        now = timezone.now()
        job.status, job.started_at = ImportJob.Status.RUNNING, job.started_at or now
        job.worker, job.heartbeat_at = jobs.process_tag(), now
        job.save(update_fields=["status", "started_at", "worker", "heartbeat_at"])
    # The messages of rejected rows are stored as text: write them in the language of
    # whoever imports, not the worker's.
    language = (job.created_by.language if job.created_by else "") or translation.get_language()
    with translation.override(language):
        try:
            job_rows_import(job, on_progress)
        except jobs.JobLost:
            logger.warning("import %s is no longer this process's: run stopped", job.pk)
        except jobs.JobStopped:
            logger.warning("import %s stopped after a batch: queued again", job.pk)
            _requeue(job)
        except ValidationFailed as exc:
            _fail(job, str(exc.message), owned=True)
        except OperationalError as exc:
            if not jobs.is_lock_error(exc):
                _fail_unexpected(job, exc)
                raise
            logger.exception("import %s: the database stayed busy", job.pk)
            _fail(job, _stopped_message(job.pk, "busy"), owned=True)
        except Exception as exc:
            _fail_unexpected(job, exc)
            raise
        except BaseException:  # Ctrl-C, or a worker forced to exit
            if jobs.in_worker():
                _requeue(job)
            else:
                _fail(job, _stopped_message(job.pk, "interrupted"), owned=True)
            raise
    job.refresh_from_db()
    return job


def _fail_unexpected(job: ImportJob, exc: Exception) -> None:
    logger.exception("import %s failed", job.pk)
    _fail(
        job,
        _("The import stopped on an unexpected error: %(error)s") % {"error": exc},
        owned=True,
    )


@jobs.recoverer
def import_jobs_recover() -> int:
    """Resume (or, past ``MAX_RESTARTS``, fail) the imports left ``running`` by a
    process that is gone or silent for ``PANORAMA_JOB_STALE_SECONDS``."""
    stale = timezone.now() - timedelta(seconds=settings.PANORAMA_JOB_STALE_SECONDS)
    recovered = 0
    running = ImportJob.objects.filter(status=ImportJob.Status.RUNNING).select_related("created_by")
    for job in running:
        last_sign = job.heartbeat_at or job.started_at or job.created_at
        if jobs.process_gone(job.worker) or last_sign < stale:
            recovered += _recover(job)
    return recovered


def _recover(job: ImportJob) -> int:
    from ..tasks import run_import

    with transaction.atomic():
        owned = ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.RUNNING, worker=job.worker
        )
        if job.restarts >= MAX_RESTARTS:
            language = (job.created_by.language if job.created_by else "") or None
            with translation.override(language or translation.get_language()):
                message = _stopped_message(job.pk, "restarts")
            logger.warning("import %s: interrupted too often, failed", job.pk)
            return _fail(job, message, owned=True)
        taken = owned.update(status=ImportJob.Status.PENDING, worker="", restarts=F("restarts") + 1)
        if taken:
            logger.warning("import %s: its worker %s is gone, resumed", job.pk, job.worker)
            transaction.on_commit(lambda: run_import.enqueue(job.pk))
        return taken


# --- synchronous use: the CLI and the bench ----------------------------------------------


def import_file_sync(
    *,
    path: str | Path,
    by: User | None = None,
    mapping: dict[str, str] | None = None,
    on_progress: Progress | None = None,
) -> ImportJob:
    """Import ``path`` now, in this process (the CLI and the bench); returns the finished job.

    Raises ValidationFailed when the file itself is refused (nothing is written then).
    """
    with transaction.atomic():
        job = _job_record(upload=path, mapping=mapping, by=by, resolve=True)
        job.queued_at = timezone.now()
        job.save(update_fields=["queued_at"])
    return import_job_run(job_id=job.pk, on_progress=on_progress)


def import_rows_per_s(job: ImportJob) -> float:
    """Rows handled per second by a finished run (from its start and finish times)."""
    if not job.started_at or not job.finished_at:
        return 0.0
    seconds = max((job.finished_at - job.started_at).total_seconds(), 1e-6)
    return job.processed_rows / seconds
