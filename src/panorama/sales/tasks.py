"""Background work of sales (django-tasks): the agenda's reminders.

The worker's periodic sweep (``core.jobs``, every ``PANORAMA_JOB_SWEEP_SECONDS``)
calls ``reminders_tick``, which queues the task, as the service desk's SLA sweep does."""

from django_tasks import task

from panorama.core import jobs


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
