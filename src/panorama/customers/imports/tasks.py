"""Background tasks of the import (django-tasks: the database worker, or RQ)."""

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from .models import ImportJob

logger = logging.getLogger(__name__)


@task()
def run_import(job_id: int) -> None:
    """Run a queued customer import; a job never stays ``running`` after an error."""
    from .services.jobs import import_job_run

    try:
        import_job_run(job_id=job_id)
    except Exception as exc:
        logger.exception("import task %s failed", job_id)
        ImportJob.objects.filter(pk=job_id, status__in=["pending", "running"]).update(
            status=ImportJob.Status.FAILED,
            error=_("The import stopped on an unexpected error: %(error)s") % {"error": exc},
        )
    purge_old_imports()


def purge_old_imports() -> None:
    """Delete the files and rejected rows of imports past the retention (after each
    import, beside the daily ``panorama purge_imports``); never fails the caller."""
    from .services.retention import import_files_purge

    try:
        import_files_purge()
    except Exception:
        logger.exception("purging old import files failed")


@task()
def undo_import(job_id: int) -> None:
    """Undo an import in batches; an undo that stops keeps its progress and its error
    (``undo_error``), and finishes when asked again."""
    from .services.undo import import_job_undo_run

    try:
        import_job_undo_run(job_id=job_id)
    except Exception:
        logger.exception("undo task %s stopped", job_id)


@task()
def dry_run_import(job_id: int, run: str) -> None:
    """Check a waiting import's whole file without writing (the wizard's dry run)."""
    from .services.forecast import import_job_dry_run

    import_job_dry_run(job_id=job_id, run=run)
