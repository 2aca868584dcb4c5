"""Reads of customer imports: a job is visible to whoever started it and to admins."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from panorama.accounts.models import Role, User
from panorama.core.exceptions import NotFound

from .models import ImportJob, ImportRowError


def import_jobs_visible_to(user: User | None) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.select_related("created_by")
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


def import_progress(job: ImportJob) -> int:
    """Percent done, for the progress bar (0–100)."""
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.UNDONE):
        return 100
    if not job.total_rows:
        return 0
    return min(100, round(100 * job.processed_rows / job.total_rows))
