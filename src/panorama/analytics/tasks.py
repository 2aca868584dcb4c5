"""Background work of analytics: the models are retrained and everyone re-scored on
schedule (every ``PANORAMA_MODELS_RETRAIN_HOURS``, a day by default).

The worker's periodic sweep (``core.jobs``) calls ``models_tick`` every minute; it queues
the retraining when the last churn model card is older than the interval. A model that
cannot train on today's data (too little history) is skipped and said so in the result.

``reports_tick`` queues the e-mailing of the scheduled reports that are due
(``reports/schedules.py``).
"""

import datetime
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from panorama.core import jobs
from panorama.core.exceptions import DomainError

logger = logging.getLogger(__name__)


def _hours() -> float:
    return float(getattr(settings, "PANORAMA_MODELS_RETRAIN_HOURS", 24))


@task()
def models_retrain_task() -> dict[str, str]:
    """RFM, lifetime value (calibrated on all data), the clusters (after the lifetime
    value, one of their features), churn and basket, as the system."""
    from .mining.data import history_load
    from .services.runs import basket_run, churn_run, cluster_run, clv_run, rfm_run

    history = history_load()
    if not len(history):
        return {"all": "no purchases"}
    last = datetime.date.fromordinal(int(history.day.max()))
    steps = {
        "rfm": lambda: rfm_run(by=None),
        "clv": lambda: clv_run(by=None, calibration_end=last),
        "cluster": lambda: cluster_run(by=None),
        "churn": lambda: churn_run(by=None),
        "basket": lambda: basket_run(by=None),
    }
    done: dict[str, str] = {}
    for name, step in steps.items():
        try:
            step()
            done[name] = "ok"
        except DomainError as exc:
            done[name] = str(exc.message)
    return done


def retrain_due(now: datetime.datetime | None = None) -> bool:
    from .models import ModelRun

    latest = ModelRun.objects.filter(kind=ModelRun.Kind.CHURN).order_by("-id").first()
    now = now or timezone.now()
    return latest is None or latest.created_at < now - datetime.timedelta(hours=_hours())


@jobs.recoverer
def models_tick() -> int:
    """Queue the retraining when due (once: a cache key holds it for the interval)."""
    hold = int(_hours() * 3600)
    if (
        jobs.in_worker()
        and retrain_due()
        and cache.add("analytics:retrain-queued", True, timeout=hold)
    ):
        models_retrain_task.enqueue()
    return 0


@task()
def reports_send_task() -> int:
    """E-mail the scheduled reports that are due (each recipient his own rows)."""
    from .reports.schedules import schedules_send_due

    return schedules_send_due()


@jobs.recoverer
def reports_tick() -> int:
    """Queue the sending when a scheduled report is due (nothing to recover)."""
    from .reports.schedules import schedules_due

    if jobs.in_worker() and schedules_due().exists():
        reports_send_task.enqueue()
    return 0


@task()
def purchase_import_task(job_id: int) -> None:
    """Run a queued order history import (``services.purchase_jobs``); it is never
    left ``running`` after an error (the run marks it failed)."""
    from .services.purchase_jobs import purchase_import_process

    try:
        purchase_import_process(job_id=job_id)
    except Exception:
        logger.exception("order import task %s failed", job_id)


@jobs.recoverer
def purchase_imports_tick() -> int:
    """Queue again the order imports whose worker is gone (``purchase_imports_recover``)."""
    from .services.purchase_jobs import purchase_imports_recover

    return purchase_imports_recover()
