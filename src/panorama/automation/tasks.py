"""Background work of the automation app, from the worker's periodic sweep
(``core.jobs``): the daily scheduled rules, the morning digest and the web visits'
timeline summaries."""

from django_tasks import task

from panorama.core import jobs


def automation_work() -> dict:
    from .scheduled import scheduled_due, scheduled_run
    from .services.alerts import digest_send
    from .services.tracking import web_summarise

    ran = [scheduled_run(rule) for rule in scheduled_due()]
    return {"scheduled": len(ran), "digests": digest_send(), "visits": web_summarise()}


@task()
def automation_task() -> dict:
    return automation_work()


@jobs.recoverer
def automation_tick() -> int:
    """Queue the automation work (nothing to recover: it reports 0 jobs)."""
    if jobs.in_worker():
        automation_task.enqueue()
    return 0
