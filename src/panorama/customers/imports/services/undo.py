"""Undoing an import, without losing or overwriting what did not come from it.

The rules (the README's import section states them for users):

- While a customer the import created or updated is part of a merge made since (and not
  undone), the undo is refused with the merges to undo first: the merge moved another
  customer's records onto it, and the import's undo must not take them along.
- A customer the import created is deleted only if nothing was added to it since: any
  row of any app that points at it (found through the foreign keys to ``Customer``, so a
  later app's records count too), an identity added since, any field history (an edit,
  an address, a merge). Otherwise it is kept, stops counting as the import's, and the
  undo report says why. Consents are such rows: a consent is never deleted.
- On a customer the import updated, a field goes back to its old value only while it
  still holds what the import wrote; a field someone changed since is left as it is and
  reported as a conflict. The identities and addresses the import added are removed
  unless they moved to another customer or another record points at them.
- Every write of the undo is in the field history (reason ``import undone``), beside
  the import's own (``import``), so the ficha shows both.

The undo runs as a background task (``imports.tasks.undo_import``) in batches of
``BATCH_SIZE`` customers, one transaction each, like the import: progress shows, the
write lock is never held for long, and an undo that stops half-way (``undoing``, with
``undo_error``) finishes when asked again: each batch takes what is left.
"""

import datetime
import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core import jobs
from panorama.core.events import emit
from panorama.core.exceptions import Conflict
from panorama.customers.models import Customer, CustomerMerge, ImportJob

from .retention import import_files_forget
from .undo_batch import UndoBatch, job_since

logger = logging.getLogger(__name__)
BATCH_SIZE = 2000
Progress = Callable[[ImportJob], None]


# --- asking for the undo ------------------------------------------------------------------


def _merges_in_the_way(job: ImportJob) -> list[CustomerMerge]:
    """Merges made since the import, still standing, of customers it created or updated."""
    merges = list(
        CustomerMerge.objects.filter(undone_at__isnull=True, merged_at__gte=job_since(job))
        .select_related("survivor", "merged")
        .order_by("merged_at", "pk")
    )
    if not merges:
        return []
    ids = {m.survivor_id for m in merges} | {m.merged_id for m in merges}
    ours = set(Customer.objects.filter(pk__in=ids, import_job=job).values_list("pk", flat=True))
    ours |= set(job.changes.filter(customer_id__in=ids).values_list("customer_id", flat=True))
    return [m for m in merges if m.survivor_id in ours or m.merged_id in ours]


@transaction.atomic
def import_job_undo(*, job: ImportJob, by: User | None) -> ImportJob:
    """Ask for the undo of a whole import: checked now, run by a background task.

    Asked again while the job is ``undoing`` (a worker stopped half-way), it queues the
    rest of the work.
    """
    from ..tasks import undo_import

    ensure_can(by, "customers.import")
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status == ImportJob.Status.UNDONE:
        raise Conflict(_("This import has already been undone."))
    if job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING):
        raise Conflict(_("This import has not finished yet: undo it once it is done."))
    if job.status != ImportJob.Status.UNDOING:
        merges = _merges_in_the_way(job)
        if merges:
            listed = "; ".join(
                _("merge #%(id)s: %(merged)s into %(survivor)s")
                % {"id": m.pk, "merged": m.merged, "survivor": m.survivor}
                for m in merges[:5]
            )
            if len(merges) > 5:
                listed += "; " + _("and %(n)s more") % {"n": len(merges) - 5}
            raise Conflict(
                _(
                    "This import cannot be undone yet: customers it created or updated were "
                    "merged since, and undoing it would take the merged customers' records "
                    "along (%(merges)s). Undo those merges first (Possible duplicates, "
                    "Merges), then undo the import."
                )
                % {"merges": listed}
            )
        job.status = ImportJob.Status.UNDOING
        job.undone_by = by if (by and by.is_authenticated) else None
        job.undo_total = job.changes.count() + job.created_customers.count()
        job.undo_processed = job.undo_deleted = job.undo_restored = 0
        job.undo_kept = job.undo_conflicts = 0
    job.undo_error, job.restarts = "", 0  # from here on, the undo's restarts
    job.save()
    transaction.on_commit(lambda: undo_import.enqueue(job.pk))
    return job


# --- running it ---------------------------------------------------------------------------


def import_job_undo_run(*, job_id: int, on_progress: Progress | None = None) -> ImportJob:
    """Undo the job batch by batch until nothing is left; safe to run again.

    The run signs the job (``worker``, ``heartbeat_at`` after each batch) like the import,
    so the task worker's sweep (``import_undo_recover``) queues again an undo whose
    worker died; a graceful stop ends it after a batch and queues it again; a busy
    database is waited for (``core.jobs.lock_retry``), batch by batch.
    """
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(of=("self",))
            .select_related("undone_by")
            .get(pk=job_id)
        )
        if job.status != ImportJob.Status.UNDOING:
            return job
        job.worker, job.heartbeat_at = jobs.process_tag(), timezone.now()
        job.save(update_fields=["worker", "heartbeat_at"])
    by = job.undone_by
    try:
        while jobs.lock_retry(lambda: _undo_batch(job_id, by)):
            if on_progress is not None:
                on_progress(ImportJob.objects.get(pk=job_id))
            jobs.stop_check()
    except jobs.JobStopped:
        logger.warning("undo of import %s stopped after a batch: queued again", job_id)
        _requeue(job)
    except Exception as exc:
        logger.exception("undo of import %s stopped", job_id)
        # Shown on the import's page: in the language of whoever asked for the undo.
        with translation.override((by.language if by else "") or translation.get_language()):
            message = _(
                "The undo stopped on an unexpected error: %(error)s. Undo again to finish it."
            ) % {"error": exc}
        ImportJob.objects.filter(pk=job_id).update(undo_error=message[:2000], worker="")
        raise
    except BaseException:  # Ctrl-C, or a worker forced to exit
        if jobs.in_worker():
            _requeue(job)
        raise
    return ImportJob.objects.get(pk=job_id)


def _requeue(job: ImportJob) -> None:
    from ..tasks import undo_import

    with transaction.atomic():
        taken = ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.UNDOING, worker=job.worker
        ).update(worker="")
        if taken:
            transaction.on_commit(lambda: undo_import.enqueue(job.pk))


MAX_RESTARTS = 3  # an undo its worker died under is queued again this often, then waits


@jobs.recoverer
def import_undo_recover() -> int:
    """Queue again the undos left ``undoing`` by a worker that is gone or silent for
    ``PANORAMA_JOB_STALE_SECONDS``; past ``MAX_RESTARTS`` the page offers to finish it."""
    stale = timezone.now() - datetime.timedelta(seconds=settings.PANORAMA_JOB_STALE_SECONDS)
    recovered = 0
    undoing = ImportJob.objects.filter(status=ImportJob.Status.UNDOING).exclude(worker="")
    for job in undoing.select_related("undone_by"):
        last_sign = job.heartbeat_at or job.created_at
        if not (jobs.process_gone(job.worker) or last_sign < stale):
            continue
        owned = ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.UNDOING, worker=job.worker
        )
        if job.restarts >= MAX_RESTARTS:
            by = job.undone_by
            with translation.override((by.language if by else "") or translation.get_language()):
                message = _(
                    "The undo was interrupted %(times)s times (its task worker stopped). "
                    "Undo again to finish it."
                ) % {"times": job.restarts}
            recovered += owned.update(worker="", undo_error=message)
            continue
        with transaction.atomic():
            taken = owned.update(worker="", restarts=F("restarts") + 1)
            if taken:
                logger.warning(
                    "undo of import %s: its worker %s is gone, resumed", job.pk, job.worker
                )
                transaction.on_commit(functools.partial(_enqueue, job.pk))
        recovered += taken
    return recovered


def _enqueue(job_id: int) -> None:
    from ..tasks import undo_import

    undo_import.enqueue(job_id)


def _undo_batch(job_id: int, by: User | None) -> bool:
    """Undo the next batch in one transaction; False when there was nothing left."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportJob.Status.UNDOING:
            return False
        batch = UndoBatch(job, by)
        changes = list(job.changes.order_by("pk")[:BATCH_SIZE])
        if changes:
            batch.updated(changes)
        else:
            ids = list(
                job.created_customers.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE]
            )
            if not ids:
                _finish(job, by)
                return False
            batch.created(ids)
        batch.save()
        return True


def _finish(job: ImportJob, by: User | None) -> None:
    job.status, job.undone_at, job.worker = ImportJob.Status.UNDONE, timezone.now(), ""
    job.save(update_fields=["status", "undone_at", "worker"])
    # The file and the rejected rows (personal data) serve nothing once undone.
    import_files_forget(job=job)
    emit(
        "import.undone",
        job_id=job.pk,
        by=by.pk if by else None,
        deleted=job.undo_deleted,
        restored=job.undo_restored,
        kept=job.undo_kept,
        conflicts=job.undo_conflicts,
    )
