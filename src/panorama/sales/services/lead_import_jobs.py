"""Running a lead import in the background, the way the customers import runs
(``customers/imports/services/jobs.py``): the request checks the mapping and queues the
job (``lead_import_start``); the task worker reads the file and creates the leads in
batches of ``BATCH_SIZE`` rows (``lead_import_process``).

Each batch is one transaction that also adds its counts, its rejected rows and the rows
read (``processed_rows``) to the job and refreshes its heartbeat, so the detail page and
the API show the progress while it runs, and a run that stops half-way knows where:
- a graceful stop of the worker (SIGTERM) ends the run after the batch being written
  and queues the job again; the next run resumes it at the next row;
- a worker killed outright leaves the job ``running``: the worker's sweep
  (``lead_imports_recover``, registered with ``core.jobs``) finds its process gone or
  its heartbeat older than ``PANORAMA_JOB_STALE_SECONDS`` and resumes it,
  ``MAX_RESTARTS`` times at most, then marks it ``failed`` with what was imported;
- an unexpected error marks it ``failed`` with the error.
A ``failed`` import keeps the leads its committed batches created: it can be undone
like a finished one."""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core import jobs
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, DomainError
from panorama.customers.imports.services.files import Source, row_blank, rows_read
from panorama.customers.imports.services.jobs import MAX_RESTARTS

from ..models import Lead, LeadImport, LeadImportRow
from .lead import lead_build
from .lead_bulk import leads_create_many
from .lead_import import lead_import_get, mapping_check, row_values, target_labels

logger = logging.getLogger(__name__)
# Rows per transaction, written together (``lead_bulk``); from 500 events a batch the
# outbox writes its rows through ``core.bulk`` (``outbox.BULK_WRITE_FROM``).
BATCH_SIZE = 1000
UNFINISHED = (LeadImport.Status.QUEUED, LeadImport.Status.RUNNING)


def _enqueue(job: LeadImport) -> None:
    from ..tasks import lead_import_task

    transaction.on_commit(lambda: lead_import_task.enqueue(job.pk))


@transaction.atomic
def lead_import_start(
    *, by: User, import_id: int, mapping: dict[str, str], assign_by_rules: bool = False
) -> LeadImport:
    """Check the reviewed mapping and queue the import for the task worker (after
    commit); no lead is created here."""
    ensure_can(by, "sales.edit")
    job = lead_import_get(user=by, import_id=import_id, for_update=True)
    if job.status != LeadImport.Status.MAPPING:
        raise Conflict(_("This import has already run."), field="status")
    job.mapping = mapping_check(job.headers, mapping)
    job.assign_by_rules = assign_by_rules
    job.status = LeadImport.Status.QUEUED
    job.save(update_fields=["mapping", "assign_by_rules", "status"])
    _enqueue(job)
    return job


def lead_import_progress(job: LeadImport) -> int:
    """Percent of the file's rows read (0–100), for the progress bar."""
    if job.status in (LeadImport.Status.DONE, LeadImport.Status.UNDONE):
        return 100
    if not job.total_rows:
        return 0
    return min(100, round(100 * job.processed_rows / job.total_rows))


def lead_import_process(*, job_id: int) -> LeadImport:
    """Create the leads of a queued import (the task); safe to call again on the same
    job: a run delivered twice does nothing, a resumed one starts after the rows an
    earlier run committed."""
    with transaction.atomic():
        job = (
            LeadImport.objects.select_for_update(of=("self",))
            .select_related("created_by")
            .get(pk=job_id)
        )
        if job.status != LeadImport.Status.QUEUED:
            return job  # delivered twice: the first delivery owns the job
        now = timezone.now()
        job.status, job.started_at = LeadImport.Status.RUNNING, job.started_at or now
        job.worker, job.heartbeat_at = jobs.process_tag(), now
        job.save(update_fields=["status", "started_at", "worker", "heartbeat_at"])
    by = job.created_by
    # The rejected rows' problems are stored as text: in the importer's language.
    language = (by.language if by else "") or translation.get_language()
    with translation.override(language):
        try:
            if by is None:
                raise Conflict(_("The user who started this import no longer exists."))
            _rows_import(job, by)
        except jobs.JobLost:
            logger.warning("lead import %s is no longer this process's: run stopped", job.pk)
        except jobs.JobStopped:
            logger.warning("lead import %s stopped after a batch: queued again", job.pk)
            _requeue(job)
        except DomainError as exc:
            _fail(job, str(exc.message))
        except Exception as exc:
            logger.exception("lead import %s failed", job.pk)
            _fail(job, _("The import stopped on an unexpected error: %(error)s") % {"error": exc})
            raise
        except BaseException:  # Ctrl-C, or a worker forced to exit
            if jobs.in_worker():
                _requeue(job)
            else:
                _fail(job, _stopped_message(job.pk, restarts=False))
            raise
    job.refresh_from_db()
    return job


def _owned(job: LeadImport):
    return LeadImport.objects.filter(pk=job.pk, status=LeadImport.Status.RUNNING, worker=job.worker)


def _rows_import(job: LeadImport, by: User) -> None:
    done = job.processed_rows  # by an earlier run that was interrupted
    kept = job.rejected_rows.count()
    source = Source(file_format=job.file_format, encoding=job.encoding, delimiter=job.delimiter)
    with job.file.open("rb") as fh:
        rows = rows_read(fh, source)
        try:
            next(r for r in rows if not row_blank(r))  # the header
            batch: list[tuple[int, list[str]]] = []
            for number, cells in enumerate(rows, start=2):
                if number - 1 <= done:
                    continue
                batch.append((number, cells))
                if len(batch) >= BATCH_SIZE:
                    kept += jobs.lock_retry(partial(_batch_write, job, by, batch, kept))
                    batch = []
                    jobs.stop_check()
            if batch:
                kept += jobs.lock_retry(partial(_batch_write, job, by, batch, kept))
        finally:
            rows.close()
    stored = job.file.name
    with transaction.atomic():
        finished = _owned(job).update(
            status=LeadImport.Status.DONE, finished_at=timezone.now(), file=""
        )
        if not finished:
            raise jobs.JobLost
        job.refresh_from_db()
        emit(
            "lead.imported",
            import_id=job.pk,
            created=job.created_count,
            rejected=job.rejected_count,
            by=by.pk,
        )
    job.file.storage.delete(stored)  # read: not kept (personal data)


@transaction.atomic
def _batch_write(job: LeadImport, by: User, batch: list[tuple[int, list[str]]], kept: int) -> int:
    """Create the batch's leads and add its counts to the job; how many rejected rows
    it kept. Every row is checked by ``lead_build`` (the one validation of a lead: a
    refused row is kept with every problem found), then the valid leads are written
    together by ``leads_create_many`` (assignment, scores, activities, events), in a
    number of queries that does not grow with the rows."""
    rejected = 0
    column_of = {target: column for column, target in job.mapping.items()}
    leads: list[Lead] = []
    rejected_rows: list[LeadImportRow] = []
    for number, cells in batch:
        if row_blank(cells):
            continue
        try:
            leads.append(
                lead_build(
                    by=by,
                    source=Lead.Source.IMPORT,
                    lead_import=job,
                    unowned=job.assign_by_rules,
                    **row_values(job.headers, job.mapping, cells),
                )
            )
        except DomainError as exc:
            rejected += 1
            if kept + len(rejected_rows) < settings.PANORAMA_IMPORT_MAX_REJECTED_ROWS:
                rejected_rows.append(_rejected(job, number, cells, exc, column_of))
    created = len(leads_create_many(by=by, leads=leads))
    LeadImportRow.objects.bulk_create(rejected_rows)
    counted = _owned(job).update(
        processed_rows=batch[-1][0] - 1,
        created_count=F("created_count") + created,
        rejected_count=F("rejected_count") + rejected,
        heartbeat_at=timezone.now(),
    )
    if not counted:
        raise jobs.JobLost  # rolls the batch back: the job is no longer ours
    return len(rejected_rows)


def _rejected(
    job: LeadImport, number: int, cells: list[str], exc: DomainError, column_of: dict[str, str]
) -> LeadImportRow:
    """A refused row with every problem ``lead_build`` found, each with the file's
    column at fault (the lead field's name where no column gives it)."""
    labels = target_labels()
    listed = [
        {"field": column_of.get(name) or str(labels.get(name, "")), "message": str(message)}
        for name, messages in (exc.errors or {exc.field or "": [str(exc.message)]}).items()
        for message in messages
    ]
    message = "; ".join(
        f"{p['field']}: {p['message']}" if p["field"] else p["message"] for p in listed
    )
    return LeadImportRow(
        lead_import=job, row_number=number, cells=cells, message=message, problems=listed
    )


def _stopped_message(job_id: int, *, restarts: bool) -> str:
    counts = LeadImport.objects.filter(pk=job_id).values("processed_rows", "total_rows").get()
    done = {"done": counts["processed_rows"], "total": counts["total_rows"]}
    if restarts:
        said = _(
            "The import was interrupted %(times)s times (its task worker stopped) and is "
            "not resumed again: it stopped after %(done)s of %(total)s rows."
        ) % {**done, "times": MAX_RESTARTS + 1}
    else:
        said = _("The import was interrupted after %(done)s of %(total)s rows.") % done
    return said + " " + _("The leads imported so far stay: undo the import to remove them.")


def _fail(job: LeadImport, message: str) -> int:
    """Mark a job this process runs ``failed`` with ``message``."""
    return _owned(job).update(
        status=LeadImport.Status.FAILED, error=message[:2000], finished_at=timezone.now()
    )


def _requeue(job: LeadImport) -> None:
    """Give a job this process stops running back to the queue; the next run resumes it
    after its last committed batch."""
    with transaction.atomic():
        if _owned(job).update(status=LeadImport.Status.QUEUED, worker=""):
            _enqueue(job)


@jobs.recoverer
def lead_imports_recover() -> int:
    """Resume (or, past ``MAX_RESTARTS``, fail) the lead imports left ``running`` by a
    process that is gone or silent for ``PANORAMA_JOB_STALE_SECONDS``."""
    stale = timezone.now() - timedelta(seconds=settings.PANORAMA_JOB_STALE_SECONDS)
    recovered = 0
    running = LeadImport.objects.filter(status=LeadImport.Status.RUNNING).select_related(
        "created_by"
    )
    for job in running:
        last_sign = job.heartbeat_at or job.started_at or job.created_at
        if jobs.process_gone(job.worker) or last_sign < stale:
            recovered += _recover(job)
    return recovered


def _recover(job: LeadImport) -> int:
    with transaction.atomic():
        if job.restarts >= MAX_RESTARTS:
            language = (job.created_by.language if job.created_by else "") or None
            with translation.override(language or translation.get_language()):
                message = _stopped_message(job.pk, restarts=True)
            logger.warning("lead import %s: interrupted too often, failed", job.pk)
            return _fail(job, message)
        taken = _owned(job).update(
            status=LeadImport.Status.QUEUED, worker="", restarts=F("restarts") + 1
        )
        if taken:
            logger.warning("lead import %s: its worker %s is gone, resumed", job.pk, job.worker)
            _enqueue(job)
        return taken
