"""Customer import from CSV/XLSX: check the upload, run it in the background, undo it.

Good rows are kept, bad rows reported: every row that fails the validation of
``customer_create`` becomes an ImportRowError (row number as a spreadsheet shows it,
the header being row 1; the file's column at fault; the message) and the other rows
are imported. A file that cannot be read at all, or whose mapping lacks a name column
or an identifier column, is refused before any job starts.

The run commits one transaction per batch of ``BATCH_SIZE`` rows (not one for the
whole file) so the progress shows while it runs and a large file never holds the write
lock for minutes. The batch also counts its rows in the job (``processed_rows``), so a
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
import multiprocessing
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
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
from panorama.core.bulk import few_collections
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.customers.models import ImportChange, ImportJob

from .check import Plan, plan_make, rows_check
from .files import (
    Source,
    definitions_by_key,
    mapping_guess,
    mapping_resolve,
    row_blank,
    rows_count_limited,
    rows_read,
    source_inspect_limited,
)
from .rows import Batch
from .undo import import_job_undo, import_job_undo_run  # noqa: F401 (re-exported)

logger = logging.getLogger(__name__)
BATCH_SIZE = 2000
MAX_RESTARTS = 2  # an import its worker died under is resumed twice, then failed
Progress = Callable[[ImportJob], None]


class FileTooLarge(ValidationFailed):
    status_code = 413
    code = "too_large"


def _size_check(size: int) -> None:
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


def _job_source(job: ImportJob) -> Source:
    return Source(file_format=job.file_format, encoding=job.encoding, delimiter=job.delimiter)


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
        _size_check(path.stat().st_size)
        fh: IO[bytes] = path.open("rb")
        name = path.name
    else:
        _size_check(upload.size or 0)
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
            _run(job, on_progress)
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


def _run(job: ImportJob, on_progress: Progress | None) -> None:
    with few_collections():
        _run_rows(job, on_progress)


def _run_rows(job: ImportJob, on_progress: Progress | None) -> None:
    source = _job_source(job)
    definitions = definitions_by_key()
    done = job.processed_rows  # by an earlier run that was interrupted
    with job.file.open("rb") as fh:
        # The first full read, in a process of bounded memory: refuses a file too large.
        total = rows_count_limited(fh, source)
        ImportJob.objects.filter(pk=job.pk).update(total_rows=max(total - 1, 0))
        reader = rows_read(fh, source)
        # closing: a run that stops early ends the reader before its file is closed
        with closing(reader):
            rows = enumerate(reader, start=1)
            headers = next(([c.strip() for c in r] for _n, r in rows if not row_blank(r)), [])
            plan = plan_make(
                headers=headers, mapping=job.mapping, definitions=definitions, by=job.created_by
            )
            if done:
                _resume(job, plan, rows, done)
            with _Checker(plan, helper=total - done > 2 * BATCH_SIZE) as checker:
                chunk: list[tuple[int, list[str]]] = []
                for number, cells in rows:
                    if row_blank(cells):
                        continue
                    chunk.append((number, cells))
                    if len(chunk) >= BATCH_SIZE:
                        checker.send(chunk)
                        chunk = []
                        if checker.waiting >= 2:  # one batch checked ahead while this one writes
                            _flush(job, plan, checker.receive(), on_progress)
                if chunk:
                    checker.send(chunk)
                while checker.waiting:
                    _flush(job, plan, checker.receive(), on_progress)
    with transaction.atomic():
        finished = ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.RUNNING, worker=job.worker
        ).update(status=ImportJob.Status.DONE, finished_at=timezone.now())
        if not finished:
            raise jobs.JobLost
        job.refresh_from_db()
        emit(
            "import.finished",
            job_id=job.pk,
            by=job.created_by_id,
            created=job.created_count,
            updated=job.updated_count,
            unchanged=job.unchanged_count,
            rejected=job.rejected_count,
        )


def _resume(job: ImportJob, plan: Plan, rows, done: int) -> None:
    """Skip the ``done`` rows an earlier run committed, remembering what the rows after
    them are compared with: the identifiers already seen in the file (checked again,
    without the database) and the customers already updated (the undo records)."""
    chunk: list[tuple[int, list[str]]] = []
    for number, cells in rows:
        if row_blank(cells):
            continue
        chunk.append((number, cells))
        done -= 1
        if len(chunk) >= BATCH_SIZE or not done:
            for row_number, _cells, values, key, _fields in rows_check(plan, chunk):
                if values is not None and key is not None:
                    plan.seen.setdefault(key, row_number)
            chunk = []
        if not done:
            break
    # Row 0: the message then says "an earlier row" (the row number was not kept).
    changed = ImportChange.objects.filter(job=job).values_list("customer_id", flat=True)
    plan.updated.update(dict.fromkeys(changed, 0))


def _truncate(found: dict, size: int) -> None:
    while len(found) > size:
        found.popitem()  # the last added first


def _flush(job: ImportJob, plan: Plan, checked: list[tuple], on_progress: Progress | None) -> None:
    """Write one checked batch; on a busy database wait and write it again (the plan
    forgets what the failed attempt added to it), then stop if a stop was asked."""
    seen, updated = len(plan.seen), len(plan.updated)

    def write() -> None:
        _truncate(plan.seen, seen)
        _truncate(plan.updated, updated)
        batch = Batch(job, plan)
        for item in checked:
            batch.add_checked(item)
        batch.write()

    jobs.lock_retry(write)
    if on_progress is not None:
        job.refresh_from_db()
        on_progress(job)
    jobs.stop_check()


_helper_plan: Plan | None = None  # in the helper process: the job's plan


def _helper_start(plan: Plan, language: str, parent: int) -> None:
    global _helper_plan
    jobs.die_with_parent(parent)  # never outlive the import, even killed with -9
    _helper_plan = plan
    translation.activate(language)  # rejection messages in the importer's language


def _helper_check(rows: list[tuple[int, list[str]]]) -> list[tuple]:
    assert _helper_plan is not None, "the helper starts with the job's plan"
    return rows_check(_helper_plan, rows)


class _Checker:
    """Validates batches of rows in a helper process while this one writes the batch
    before: on 2 cores the validation (Python) and the writing (Python and the
    database) then run side by side. Validation needs no database, and the helper
    sends back plain tuples (``row_check``), not model instances.

    A small file, or ``PANORAMA_IMPORT_HELPER=0``, is checked in this process.
    """

    def __init__(self, plan: Plan, *, helper: bool):
        self.plan = plan
        self.pool = None
        if helper and settings.PANORAMA_IMPORT_HELPER:
            # fork: the helper starts in milliseconds with Django set up; it never
            # touches the database connections it inherits.
            self.pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_helper_start,
                initargs=(plan, translation.get_language(), os.getpid()),
            )
        self.pending: deque = deque()

    def __enter__(self) -> "_Checker":
        return self

    def __exit__(self, *exc_info) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    @property
    def waiting(self) -> int:
        return len(self.pending)

    def send(self, rows: list[tuple[int, list[str]]]) -> None:
        future = None if self.pool is None else self.pool.submit(_helper_check, rows)
        self.pending.append((rows, future))

    def receive(self) -> list[tuple]:
        rows, future = self.pending.popleft()
        if future is not None:
            try:
                return future.result()
            except BrokenProcessPool:
                # The helper was killed (out of memory, or a signal to the whole
                # process group): check the rest here.
                if self.pool is not None:
                    logger.warning("import helper process died: checking rows here")
                    self.pool.shutdown(wait=False, cancel_futures=True)
                    self.pool = None
                jobs.stop_check()  # a stop signal reached the helper first
        return rows_check(self.plan, rows)


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
