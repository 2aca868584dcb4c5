"""Background work of loyalty (django-tasks): the daily sweep of expired points and tier
evaluation. The worker's periodic sweep (``core.jobs``) calls ``loyalty_tick`` every
minute; it queues the task once a day (the first tick after the last run's day)."""

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from panorama.core import jobs

LAST_RUN_KEY = "loyalty:sweep:last_day"


@task()
def loyalty_sweep_task() -> dict[str, int]:
    """Expire old points (FIFO) and move members to the tier they qualify for."""
    from .services.sweeps import loyalty_sweep

    return loyalty_sweep()


@jobs.recoverer
def loyalty_tick() -> int:
    """Queue the sweep once a day (nothing to recover: it reports 0 jobs)."""
    if jobs.in_worker():
        today = timezone.localdate().isoformat()
        if cache.get(LAST_RUN_KEY) != today:
            cache.set(LAST_RUN_KEY, today, timeout=2 * 86400)
            loyalty_sweep_task.enqueue()
    return 0
