"""Reads of customer imports: a job is visible to whoever started it and to admins."""

from django.apps import apps
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from panorama.accounts.models import Role, User
from panorama.core.exceptions import NotFound
from panorama.core.pagination import Keyset, Page
from panorama.customers.history import history_label

from .models import ImportJob, ImportRowError, ImportUndoNote


def import_jobs_visible_to(user: User | None) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.select_related("created_by", "undone_by")
    if user is None or user.is_superuser or user.role == Role.ADMIN:
        return jobs
    return jobs.filter(created_by=user)


def import_job_get(*, user: User | None, job_id: int) -> ImportJob:
    job = import_jobs_visible_to(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("Import %(id)s does not exist or is not yours.") % {"id": job_id})
    return job


def import_job_list(*, user: User | None, limit: int = 50) -> list[ImportJob]:
    return list(import_jobs_visible_to(user)[: max(1, min(limit, 200))])


def import_row_errors(*, job: ImportJob, limit: int | None = 1000) -> QuerySet[ImportRowError]:
    errors = job.row_errors.order_by("row_number", "id")
    return errors[:limit] if limit else errors


BY_ROW = Keyset("row_number", "id", types=(int, int))
RowErrorPage = Page[ImportRowError]


def import_row_error_page(*, job: ImportJob, cursor: str = "", limit: int = 200) -> RowErrorPage:
    """One page of a job's rejected rows in row order, keyset-paginated (one query)."""
    limit = max(1, min(limit, 1000))
    return BY_ROW.page(job.row_errors.all(), cursor=cursor, limit=limit)


def import_rejected_kept(job: ImportJob) -> int:
    """How many of the job's rejected rows are listed (past the cap they are counted)."""
    return min(job.rejected_count, settings.PANORAMA_IMPORT_MAX_REJECTED_ROWS)


def import_progress(job: ImportJob) -> int:
    """Percent done, for the progress bar (0–100): of the undo while it runs."""
    if job.status == ImportJob.Status.UNDOING:
        if not job.undo_total:
            return 0
        return min(100, round(100 * job.undo_processed / job.undo_total))
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.UNDONE):
        return 100
    if not job.total_rows:
        return 0
    return min(100, round(100 * job.processed_rows / job.total_rows))


def import_undo_notes(
    *, job: ImportJob, offset: int = 0, limit: int | None = 200
) -> list[ImportUndoNote]:
    """The undo report: what the undo left in place and why, each with ``message``."""
    notes = job.undo_notes.order_by("id")[max(0, offset) :]
    if limit:
        notes = notes[: max(1, min(limit, 1000))]
    listed = list(notes)
    for note in listed:
        vars(note)["message"] = undo_note_message(note)  # for display, not a column
    return listed


def _records_text(labels: list[str]) -> str:
    names = []
    for label in labels:
        if label == "core.fieldchange":
            names.append(_("changes to its fields"))
            continue
        try:
            names.append(str(apps.get_model(label)._meta.verbose_name_plural))
        except (LookupError, ValueError):
            names.append(label)
    return ", ".join(names)


def undo_note_message(note: ImportUndoNote) -> str:
    """One line of the undo report, in the reader's language."""
    detail = note.detail or {}
    label = history_label(note.field) if note.field else ""
    if note.kind == ImportUndoNote.Kind.MERGED:
        return _(
            "Not restored: merged with another customer since the import (merge #%(merge)s)."
        ) % {"merge": detail.get("merge", "?")}
    if note.kind == ImportUndoNote.Kind.CONFLICT:
        return _(
            "%(field)s not restored: changed since the import to “%(current)s” (the import "
            "wrote “%(imported)s”; before it, “%(before)s”)."
        ) % {
            "field": label,
            "current": detail.get("current", ""),
            "imported": detail.get("imported", ""),
            "before": detail.get("before", ""),
        }
    if note.field:
        return _(
            "%(field)s %(value)s kept: it moved to another customer or another record uses it."
        ) % {"field": label, "value": detail.get("value", "")}
    return _(
        "Kept, not deleted: records were added to this customer since the import (%(records)s)."
    ) % {"records": _records_text(detail.get("records", []))}
