"""Background work of the service desk (django-tasks: the database worker, or RQ).

The SLA sweep runs every ``PANORAMA_JOB_SWEEP_SECONDS`` (a minute) in the task worker:
the worker's periodic sweep (``core.jobs``) calls ``sla_tick``, which queues the task."""

from django_tasks import task

from panorama.core import jobs


@task()
def sla_sweep_task() -> dict[str, int]:
    """Warn of cases about to breach their SLA and escalate the breached ones."""
    from .services.escalation import sla_sweep

    return sla_sweep()


@jobs.recoverer
def sla_tick() -> int:
    """Queue the sweep (nothing to recover: it reports 0 jobs)."""
    if jobs.in_worker():
        sla_sweep_task.enqueue()
    return 0


@task()
def callback_sweep_task() -> dict[str, int]:
    """Escalate the callbacks still open after their window (call management)."""
    from .services.callback import callback_sweep

    return callback_sweep()


@jobs.recoverer
def callback_tick() -> int:
    """Queue the callback sweep every minute, beside the SLA sweep."""
    if jobs.in_worker():
        callback_sweep_task.enqueue()
    return 0
