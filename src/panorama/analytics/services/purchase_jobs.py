"""The order history import in the background (the UI's and the API's; the command
runs it at once): the request checks the file's size and header, stores it and queues
the job (``purchase_import_queue``); the task worker reads and imports it
(``purchase_import_process``), saying how many rows it has read as it goes, then the
counts and the row report, as the command prints them.

The import writes in one transaction and is idempotent (every order found again by its
key), so a run that stops is simply run again: a graceful stop of the worker, or a
worker killed outright (the sweep, ``purchase_imports_recover``, finds its process gone
or its heartbeat older than ``PANORAMA_JOB_STALE_SECONDS``), queues it again,
``MAX_RESTARTS`` times at most, then it is ``failed``. The stored file is deleted once
the job ends, whatever its end."""

import logging
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core import jobs
from panorama.core.exceptions import DomainError, ValidationFailed
from panorama.customers.imports.services.jobs import MAX_RESTARTS

from ..models import PurchaseImport
from .purchases import columns_check, purchases_import_text, size_check, text_decode

logger = logging.getLogger(__name__)
UNFINISHED = (PurchaseImport.Status.QUEUED, PurchaseImport.Status.RUNNING)


def _enqueue(job_id: int) -> None:
    from ..tasks import purchase_import_task

    transaction.on_commit(lambda: purchase_import_task.enqueue(job_id))


@transaction.atomic
def purchase_import_queue(*, upload: IO[bytes], by: User, file_name: str = "") -> PurchaseImport:
    """Check the upload (size, readable header with the required columns), store it
    and queue its import for the task worker (after commit); nothing is imported here."""
    ensure_can(by, "analytics.import_orders")
    size_check(getattr(upload, "size", 0) or 0)
    data = upload.read()
    raw = data.encode() if isinstance(data, str) else data
    text = text_decode(raw)
    header = columns_check(text)
    file_name = (file_name or getattr(upload, "name", "") or "orders.csv")[:255]
    lines = text.count("\n") + (0 if text.endswith("\n") else 1) - 1
    job = PurchaseImport(
        file_name=file_name,
        started_by=by,
        headers=header,
        status=PurchaseImport.Status.QUEUED,
        total_rows=max(lines, 0),
    )
    job.file.save("orders.csv", ContentFile(raw), save=False)
    job.save()
    _enqueue(job.pk)
    return job


def purchase_import_progress(job: PurchaseImport) -> int:
    """Percent of the file's rows read (0–100), for the progress bar."""
    if job.status == PurchaseImport.Status.DONE:
        return 100
    if not job.total_rows:
        return 0
    return min(100, round(100 * job.processed_rows / job.total_rows))


def purchase_import_process(*, job_id: int) -> PurchaseImport:
    """Import a queued job's file (the task); a job delivered twice is run once."""
    with transaction.atomic():
        job = (
            PurchaseImport.objects.select_for_update(of=("self",))
            .select_related("started_by")
            .get(pk=job_id)
        )
        if job.status != PurchaseImport.Status.QUEUED:
            return job
        job.status, job.processed_rows = PurchaseImport.Status.RUNNING, 0
        job.worker, job.heartbeat_at = jobs.process_tag(), timezone.now()
        job.save(update_fields=["status", "processed_rows", "worker", "heartbeat_at"])
    by = job.started_by
    language = (by.language if by else "") or translation.get_language()
    with translation.override(language):
        try:
            if by is None:
                raise ValidationFailed(_("The user who started this import no longer exists."))
            with job.file.open("rb") as fh:
                text = text_decode(fh.read())
            purchases_import_text(job=job, text=text, by=by, progress=_progress(job))
        except DomainError as exc:
            _end(job, PurchaseImport.Status.FAILED, str(exc.message))
        except Exception as exc:
            logger.exception("order import %s failed", job.pk)
            _end(
                job,
                PurchaseImport.Status.FAILED,
                _("The import stopped on an unexpected error: %(error)s") % {"error": exc},
            )
            raise
        except BaseException:  # the worker forced to exit: run again by the next one
            if jobs.in_worker():
                _requeue(job)
            raise
        else:
            _end(job, PurchaseImport.Status.DONE, "")
    job.refresh_from_db()
    return job


def _owned(job: PurchaseImport):
    return PurchaseImport.objects.filter(
        pk=job.pk, status=PurchaseImport.Status.RUNNING, worker=job.worker
    )


def _progress(job: PurchaseImport):
    def say(rows: int) -> None:
        _owned(job).update(processed_rows=rows, heartbeat_at=timezone.now())

    return say


def _end(job: PurchaseImport, status: str, error: str) -> None:
    stored = job.file.name
    PurchaseImport.objects.filter(pk=job.pk).update(status=status, error=error, file="", worker="")
    if stored:
        job.file.storage.delete(stored)  # read: not kept (personal data)


def _requeue(job: PurchaseImport) -> None:
    if _owned(job).update(status=PurchaseImport.Status.QUEUED, worker=""):
        _enqueue(job.pk)


def purchase_imports_recover() -> int:
    """Queue again (or, past ``MAX_RESTARTS``, fail) the order imports left ``running``
    by a process that is gone or silent for ``PANORAMA_JOB_STALE_SECONDS``."""
    stale = timezone.now() - timedelta(seconds=settings.PANORAMA_JOB_STALE_SECONDS)
    recovered = 0
    for job in PurchaseImport.objects.filter(status=PurchaseImport.Status.RUNNING).defer("errors"):
        last_sign = job.heartbeat_at or job.created_at
        if not (jobs.process_gone(job.worker) or last_sign < stale):
            continue
        with transaction.atomic():
            if job.restarts >= MAX_RESTARTS:
                _end(job, PurchaseImport.Status.FAILED, _stopped_message())
                recovered += 1
                continue
            taken = _owned(job).update(
                status=PurchaseImport.Status.QUEUED, worker="", restarts=F("restarts") + 1
            )
            if taken:
                logger.warning("order import %s: its worker %s is gone, queued", job.pk, job.worker)
                _enqueue(job.pk)
            recovered += taken
    return recovered


def _stopped_message() -> str:
    return _(
        "The import was interrupted too often; nothing of it was written. Import the file again."
    )
