"""Bulk jobs: the task worker's part of a bulk action (``bulk_job_run``), the undo of an
undoable one (``bulk_job_undo``), and an export's file (``bulk_export_open``,
``bulk_exports_forget``). A job is its user's: nobody else follows, undoes or downloads
it."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from panorama.accounts.permissions import ensure_can
from panorama.core import jobs
from panorama.core.exceptions import Conflict, DomainError, NotFound, ValidationFailed
from panorama.core.models import AuditEvent, BulkJob

from .actions import BULK_INLINE, _apply, _apply_many, _job_queue, _resolve
from .definition import LISTS
from .export import EXPORT_TTL, ExportWriter

PROGRESS_EVERY = 100  # rows between two progress writes


def _claim(job_id: int) -> BulkJob | None:
    with transaction.atomic():
        job = (
            BulkJob.objects.select_for_update(of=("self",))
            .select_related("user", "undo_of")
            .get(pk=job_id)
        )
        if job.finished or (
            job.status == job.Status.RUNNING and not jobs.process_gone(job.process)
        ):
            return None
        job.status, job.process = job.Status.RUNNING, jobs.process_tag()
        job.save(update_fields=["status", "process"])
    return job


def bulk_job_run(job_id: int) -> None:
    """The job's rows again from its saved request (the user's scope as it is now), each
    through the service, progress saved as it goes. An undo job puts back the values its
    original kept. A job already finished, or running in a live process, is left alone."""
    job = _claim(job_id)
    if job is None:
        return
    definition = LISTS[job.list_name]
    with translation.override(getattr(job.user, "language", "") or None):
        state = definition.state_from(QueryDict(job.query))
        try:
            action, value, rows = _resolve(
                definition=definition,
                user=job.user,
                state=state,
                action_key=job.action,
                raw_value=job.raw_value or None,
                ids=job.ids,
                everything=job.everything,
                undoing=job.undo_of_id is not None,
            )
            writer = None
            if action.export:
                ensure_can(job.user, definition.bulk_export)
                # A file cannot be resumed half-written: a resumed export starts again.
                job.done, job.last_pk = 0, 0
                writer = ExportWriter(
                    fmt=action.export,
                    columns=definition.shown_columns(state),
                    title=str(definition.label),
                )
            before = job.undo_of.undo_data if job.undo_of else None
            # The ids first, then the rows by chunks of ids: a row the action takes out
            # of the filter is neither skipped nor met twice, and a resumed job starts
            # after the last row it finished.
            if before is not None and action.deletes:
                # The rows are gone: each put back from what the action kept of it.
                _restore_run(job, action, before)
            else:
                in_sight = list(rows.values_list("pk", flat=True))
                pks = [pk for pk in in_sight if pk > job.last_pk]
                for start in range(0, len(pks), PROGRESS_EVERY):
                    chunk = list(rows.filter(pk__in=pks[start : start + PROGRESS_EVERY]))
                    _chunk_run(job, action, value, chunk, writer, before)
                    job.save(update_fields=["done", "refused", "last_pk", "undo_data"])
                    jobs.stop_check()
                if before is not None:
                    _out_of_sight(job, rows.model, before, set(in_sight))
            if writer is not None:
                job.file = writer.save(definition.name)
                from panorama.core.services import audit_record

                audit_record(
                    kind=AuditEvent.Kind.EXPORT,
                    user=job.user,
                    what=definition.name,
                    format=action.export,
                    query=job.query,
                    rows=job.done,
                )
            job.status = job.Status.DONE
        except DomainError as exc:  # the value, the action or the right is gone
            job.status, job.error = job.Status.FAILED, str(exc.message)
        job.finished_at = timezone.now()
        job.save(
            update_fields=[
                "done",
                "refused",
                "last_pk",
                "status",
                "error",
                "finished_at",
                "file",
                "undo_data",
            ]
        )


def _json(value: Any) -> Any:
    """``value`` as it reads back from the job's JSON (tuples as lists, dates as text)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _chunk_run(job: BulkJob, action, value, chunk: list, writer, before) -> None:
    if writer is not None:
        writer.write(chunk)
        job.done += len(chunk)
    elif before is not None:  # an undo: each row back to its value before
        _chunk_undo(job, action, chunk, before)
    elif action.run_many is not None:
        outcomes, deleted = _apply_many(action, job.user, chunk, value)
        for row, reason in outcomes:
            if reason:
                job.refused.append([str(row), reason])
                continue
            job.done += 1
            if action.deletes and action.undo is not None and row.pk in deleted:
                job.undo_data[str(row.pk)] = {"kept": deleted[row.pk], "row": str(row)}
    else:
        undoable = action.undo is not None and action.before is not None
        was: dict[int, Any] = {}
        for row in chunk:
            kept = _json(action.before(row)) if undoable else None
            reason = _apply(action, job.user, row, value)
            if reason:
                job.refused.append([str(row), reason])
            else:
                job.done += 1
                if undoable:
                    was[row.pk] = kept
        if was:
            _keep_for_undo(job, action, type(chunk[0]), was)
    if chunk:
        job.last_pk = chunk[-1].pk


def _keep_for_undo(job: BulkJob, action, model, was: dict[int, Any]) -> None:
    """Each changed row as it was and as the action left it, read again in one query
    (the service saved its own copy of the row). A row the action left as it was (already
    so) has nothing to undo."""
    for row in model._base_manager.filter(pk__in=list(was)):
        after = _json(action.before(row))
        if after != was[row.pk]:
            job.undo_data[str(row.pk)] = {"before": was[row.pk], "after": after}


def _chunk_undo(job: BulkJob, action, chunk: list, before: dict[str, Any]) -> None:
    assert action.undo is not None and action.before is not None
    for row in chunk:
        kept = before.get(str(row.pk))
        if isinstance(kept, dict) and set(kept) == {"before", "after"}:
            if _json(action.before(row)) != kept["after"]:
                job.refused.append([str(row), str(action.changed_since)])
                continue
            kept = kept["before"]
        # (A job kept before the "after" was: its bare value, its ``undo`` checks.)
        try:
            action.undo(job.user, row, kept)
            job.done += 1
        except DomainError as exc:
            job.refused.append([str(row), str(exc.message)])


def _restore_run(job: BulkJob, action, before: dict[str, Any]) -> None:
    """The undo of a delete: each deleted row put back through ``undo`` (the app's
    service: its permission and its reasons), in its own transaction; progress saved by
    chunks, a resumed job going on after the last row it finished."""
    assert action.undo is not None
    pks = sorted(int(pk) for pk in before if int(pk) > job.last_pk)
    for start in range(0, len(pks), PROGRESS_EVERY):
        for pk in pks[start : start + PROGRESS_EVERY]:
            entry = before[str(pk)]
            try:
                action.undo(job.user, None, entry["kept"])
                job.done += 1
            except DomainError as exc:
                job.refused.append([entry["row"], str(exc.message)])
            job.last_pk = pk
        job.save(update_fields=["done", "refused", "last_pk"])
        jobs.stop_check()


def _out_of_sight(job: BulkJob, model, before: dict[str, Any], in_sight: set[int]) -> None:
    """The rows the undo cannot reach (out of its user's sight now, or deleted): each
    reported with why it is left as it is."""
    gone = sorted(int(pk) for pk in before if int(pk) not in in_sight)
    found = {row.pk: row for row in model._base_manager.filter(pk__in=gone)}
    for pk in gone:
        if pk in found:
            job.refused.append(
                [str(found[pk]), _("You can no longer see or change it: left as it is.")]
            )
        else:
            job.refused.append([f"#{pk}", _("Deleted since: nothing to put back.")])


def _own_job(user: Any, job_id: int) -> BulkJob:
    job = BulkJob.objects.filter(pk=job_id, user=user).first() if user.is_authenticated else None
    if job is None:
        raise NotFound(_("This bulk action does not exist or is not yours."))
    return job


def bulk_job_undo(*, user: Any, job_id: int) -> BulkJob:
    """Undo one of ``user``'s finished undoable jobs: a new job puts each changed row back
    through the action's ``undo`` (a row changed since is refused and left as it is),
    run here up to ``BULK_INLINE`` rows, else by the worker. At most once per job."""
    with transaction.atomic():
        job = _own_job(user, job_id)
        job = BulkJob.objects.select_for_update().get(pk=job.pk)
        definition = LISTS.get(job.list_name)
        action = (
            next((a for a in definition.actions() if a.key == job.action), None)
            if definition
            else None
        )
        if definition is None or action is None or action.undo is None or job.undo_of_id:
            raise ValidationFailed(_("This action cannot be undone."), field="job")
        if not job.finished:
            raise Conflict(_("Wait until the action has finished to undo it."))
        if BulkJob.objects.filter(undo_of=job).exists():
            raise Conflict(_("This action was already undone."))
        if not job.undo_data:
            raise Conflict(_("This action changed no row: there is nothing to undo."))
        ids = list(job.undo_data)
        undo = _job_queue(
            definition,
            user,
            action,
            None,
            ids,
            False,
            "",  # the rows by id in the user's scope, whatever the list shows now
            len(ids),
            now=len(ids) <= BULK_INLINE,
        )
        undo.undo_of = job
        undo.action_label = (_("Undo: %(action)s") % {"action": job.action_label})[:200]
        undo.save(update_fields=["undo_of", "action_label"])
    if len(ids) <= BULK_INLINE:
        bulk_job_run(undo.pk)
        undo.refresh_from_db()
    return undo


def export_expired(job: BulkJob) -> bool:
    return job.finished_at is None or timezone.now() - job.finished_at > EXPORT_TTL


def bulk_export_open(*, user: Any, job_id: int) -> tuple[Any, str]:
    """(open file, file name) of ``user``'s finished export, while it has not expired."""
    job = _own_job(user, job_id)
    if not job.file:
        if job.finished_at and export_expired(job):
            raise Conflict(_("This export has expired: export the list again."))
        raise NotFound(_("This bulk action has no file to download."))
    if export_expired(job):
        raise Conflict(_("This export has expired: export the list again."))
    return default_storage.open(job.file, "rb"), job.file.rsplit("/", 1)[-1]


@jobs.recoverer
def bulk_exports_forget() -> int:
    """Delete the export files past ``EXPORT_TTL`` (the worker's periodic sweep); 0: it
    queues no job again."""
    old = BulkJob.objects.filter(finished_at__lt=timezone.now() - EXPORT_TTL).exclude(file="")
    for job in old.only("pk", "file"):
        default_storage.delete(job.file)
        BulkJob.objects.filter(pk=job.pk).update(file="")
    return 0
