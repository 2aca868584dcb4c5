"""Background work of sales (django-tasks): the agenda's reminders and the expiry of
quotes whose validity has passed.

The worker's periodic sweep (``core.jobs``, every ``PANORAMA_JOB_SWEEP_SECONDS``)
calls each ``*_tick``, which queues its task, as the service desk's SLA sweep does.
The lead import runs here too; its recovery (``lead_imports_recover``) is registered
with the same sweep when this module imports it."""

import logging

from django_tasks import task

from panorama.core import jobs

from .services.lead_import_jobs import lead_imports_recover  # noqa: F401 (the sweep's)

logger = logging.getLogger(__name__)


@task()
def reminders_task() -> int:
    """E-mail the agenda reminders that are due (each once)."""
    from .services.activity import reminders_send

    return reminders_send()


@jobs.recoverer
def reminders_tick() -> int:
    """Queue the reminders (nothing to recover: it reports 0 jobs)."""
    if jobs.in_worker():
        reminders_task.enqueue()
    return 0


@task()
def quotes_expire_task() -> int:
    """Mark the sent quotes whose validity has passed as expired; how many."""
    from .services.quote import quotes_expire

    return quotes_expire()


@jobs.recoverer
def quotes_expire_tick() -> int:
    """Queue the quotes' expiry beside the reminders (a sent quote past its last day
    stops showing as "sent" within a sweep; nothing to recover: it reports 0 jobs)."""
    if jobs.in_worker():
        quotes_expire_task.enqueue()
    return 0


@task()
def lead_import_task(import_id: int) -> None:
    """Run a queued lead import (``services.lead_import_jobs``); it is never left
    ``running`` after an error (the run marks it failed)."""
    from .services.lead_import_jobs import lead_import_process

    try:
        lead_import_process(job_id=import_id)
    except Exception:
        logger.exception("lead import task %s failed", import_id)
