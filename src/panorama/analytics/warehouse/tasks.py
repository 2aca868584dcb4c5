"""The warehouse refresh as a background task (django-tasks), scheduled by the task
worker's periodic sweep (``core.jobs``): ``warehouse_tick`` queues a refresh when the
last load finished more than ``WAREHOUSE_REFRESH_MINUTES`` ago."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django_tasks import task

from panorama.core import jobs


@task()
def warehouse_refresh_task() -> dict:
    """Load what changed since the last load (a first run builds everything)."""
    from panorama.core.exceptions import Conflict

    from .load import warehouse_refresh

    try:
        result = warehouse_refresh()
    except Conflict as exc:  # another load is running: this one has nothing to add
        return {"skipped": str(exc)}
    return {"kind": result.kind, "seconds": result.seconds, "changed": result.changed}


def refresh_due(now: datetime | None = None) -> bool:
    from . import status

    minutes = settings.WAREHOUSE_REFRESH_MINUTES
    if minutes <= 0:
        return False
    data = status.read()
    if data.get("state") == "running":
        return False
    finished = data.get("finished_at")
    if not finished:
        return True
    now = now or datetime.now(UTC)
    return now - datetime.fromisoformat(finished) >= timedelta(minutes=minutes)


@jobs.recoverer
def warehouse_tick() -> int:
    """Queue a refresh when one is due (nothing to recover: it reports 0 jobs)."""
    if jobs.in_worker() and refresh_due():
        warehouse_refresh_task.enqueue()
    return 0
