"""Running an import's rows: read the stored file, check its rows batch by batch (a
large file one batch ahead, in a forked helper process) and write each checked batch
(``rows.Batch``) in its own transaction, resuming after the rows an earlier run
committed. ``jobs.py`` owns the job around it: start, failure, requeue and recovery."""

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from panorama.core import jobs
from panorama.core.bulk_session import few_collections
from panorama.core.events import emit
from panorama.customers.models import ImportChange, ImportJob

from .check import Plan, plan_make, rows_check
from .files import Source, header_next, row_blank, rows_chunks, rows_count_limited, rows_read
from .mapping import definitions_by_key
from .rows import Batch

logger = logging.getLogger(__name__)
BATCH_SIZE = 2000
Progress = Callable[[ImportJob], None]


def job_source(job: ImportJob) -> Source:
    """How to read the job's stored file (found when it was uploaded)."""
    return Source(file_format=job.file_format, encoding=job.encoding, delimiter=job.delimiter)


def job_rows_import(job: ImportJob, on_progress: Progress | None) -> None:
    """Import the rows of ``job`` (running, owned by this process) and mark it done."""
    with few_collections():
        _run_rows(job, on_progress)


def _run_rows(job: ImportJob, on_progress: Progress | None) -> None:
    source = job_source(job)
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
            plan = plan_make(
                headers=header_next(rows),
                mapping=job.mapping,
                definitions=definitions,
                by=job.created_by,
            )
            if done:
                _resume(job, plan, rows, done)
            with _Checker(plan, helper=total - done > 2 * BATCH_SIZE) as checker:
                for chunk in rows_chunks(rows, BATCH_SIZE):
                    checker.send(chunk)
                    if checker.waiting >= 2:  # one batch checked ahead while this one writes
                        _flush(job, plan, checker.receive(), on_progress)
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
