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


@task()
def sla_recount_task(case_ids: list[int], pending_id: int | None = None) -> int:
    """Recount the due times of one chunk of the cases a sweep escalated to another
    policy (queued by the sweep on its commit, or again by a later sweep while its
    ``SlaRecountPending`` row ``pending_id`` is left; idempotent: run it twice, one
    note)."""
    from .services.escalation import escalated_recount

    return escalated_recount(case_ids, pending_id)


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


@task()
def field_sweep_task() -> dict[str, int]:
    """Field service: maintenance plans' work orders, contract renewal alerts, reorder
    alerts (each idempotent: run it as often as you like)."""
    from .services.asset import contract_renewal_sweep
    from .services.parts import reorder_sweep
    from .services.workorder import maintenance_sweep

    return {
        "work_orders": maintenance_sweep(),
        "renewals": contract_renewal_sweep(),
        "reorders": reorder_sweep(),
    }


@jobs.recoverer
def field_tick() -> int:
    """Queue the field sweep with the others (every minute; it finds nothing most times)."""
    if jobs.in_worker():
        field_sweep_task.enqueue()
    return 0
