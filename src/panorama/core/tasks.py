"""Background work of the shared components: bulk actions over many rows (django-tasks).

A bulk job left ``running`` by a worker that is gone is queued again by the worker's
periodic sweep (``core.jobs``); it goes on after the last row it finished."""

from django_tasks import task

from panorama.core import jobs


@task()
def bulk_job_task(job_id: int) -> None:
    from .lists.jobs import bulk_job_run

    bulk_job_run(job_id)


@jobs.recoverer
def bulk_jobs_recover() -> int:
    """Queue again the bulk jobs whose process is gone; how many."""
    from .models import BulkJob

    lost = [
        job.pk
        for job in BulkJob.objects.filter(status=BulkJob.Status.RUNNING).only("pk", "process")
        if jobs.process_gone(job.process)
    ]
    if jobs.in_worker():
        for pk in lost:
            bulk_job_task.enqueue(pk)
    return len(lost)
