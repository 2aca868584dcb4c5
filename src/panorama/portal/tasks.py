"""The portal's background work: e-mailing a sign-in link and a new address's
confirmation link (django-tasks), so that the
page answers at once and in the same time whether or not the address is known; and the
hourly sweep of old sign-in links (the worker's periodic sweep, ``core.jobs``)."""

from django.core.cache import cache
from django_tasks import task

from panorama.core import jobs

SWEEP_KEY = "portal:links_sweep"
SWEEP_SECONDS = 3600


@task()
def login_link_send_task(link_id: int, language: str = "") -> bool:
    from .services import login_link_mail

    return login_link_mail(link_id=link_id, language=language)


@task()
def email_change_send_task(customer_id: int, old: str, new: str, language: str = "") -> bool:
    from .email_change import email_change_mail

    return email_change_mail(customer_id=customer_id, old=old, new=new, language=language)


@jobs.recoverer
def login_links_tick() -> int:
    """Delete the old sign-in links, at most once an hour (the worker's sweep calls this
    every ``PANORAMA_JOB_SWEEP_SECONDS``; the cache key is the hour's turn). Nothing to
    recover: it reports 0 jobs."""
    if jobs.in_worker() and cache.add(SWEEP_KEY, 1, timeout=SWEEP_SECONDS):
        from .services import login_links_sweep

        login_links_sweep()
    return 0
