"""Background work of marketing (django-tasks): sending a campaign, and the worker's
sweep queuing the scheduled campaigns whose time has come."""

from django_tasks import task

from panorama.core import jobs


@task()
def campaign_send_task(campaign_id: int) -> dict:
    """Send what is pending in one campaign's ledger."""
    from .services.sending import campaign_send

    return campaign_send(campaign_id=campaign_id)


@task()
def ab_decide_task(campaign_id: int) -> int:
    """End one campaign's A/B test: its winner goes to everyone waiting."""
    from .services.abtest import ab_decide

    return ab_decide(campaign_id=campaign_id).pk


@jobs.recoverer
def campaigns_tick() -> int:
    """Queue the scheduled campaigns that are due, and the A/B tests that are over
    (nothing to recover: it reports 0)."""
    if jobs.in_worker():
        from .services.abtest import ab_due
        from .services.campaigns import campaigns_due

        for campaign_id in campaigns_due():
            campaign_send_task.enqueue(campaign_id)
        for campaign_id in ab_due():
            ab_decide_task.enqueue(campaign_id)
    return 0


@task()
def journeys_advance_task(enrolment_ids: list[int] | None = None) -> dict:
    """Run the journeys' steps that are due (``enrolment_ids``: only those enrolments'
    steps, when an event ended their wait at a branch)."""
    from .services.journeys import journeys_advance

    return journeys_advance(enrolment_ids=enrolment_ids)


@jobs.recoverer
def journeys_tick() -> int:
    """Queue a run of the journeys when some customer's next step is due, or a dated
    journey (birthday, holding about to end) has not been looked at today."""
    if jobs.in_worker():
        from .services.journeys import branches_met, journeys_dated_pending, journeys_due

        branches_met()  # a customer waiting at a branch who opened, clicked or bought
        if journeys_due(limit=1) or journeys_dated_pending():
            journeys_advance_task.enqueue()
    return 0
