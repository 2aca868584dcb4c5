"""Background work of the channels: polling the IMAP mailboxes (django-tasks).

The worker's periodic sweep (``core.jobs``, every ``PANORAMA_JOB_SWEEP_SECONDS``) calls
``mail_tick``, which queues a poll for each active mailbox whose interval has passed."""

from django_tasks import task

from panorama.core import jobs


@task()
def mailbox_poll_task(mailbox_id: int) -> dict:
    """Import what arrived in one mailbox since its last poll."""
    from .mail.imap import poll

    result = poll(mailbox_id)
    return {"fetched": result.fetched, "statuses": result.statuses, "error": result.error}


@jobs.recoverer
def mail_tick() -> int:
    """Queue the polls that are due (nothing to recover: it reports 0 jobs)."""
    if jobs.in_worker():
        from .mail.imap import mailboxes_due

        for mailbox_id in mailboxes_due():
            mailbox_poll_task.enqueue(mailbox_id)
    return 0
