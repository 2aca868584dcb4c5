"""Whether an order can end a wait at all: the outbox subscriber
``marketing.journey_branches`` hears every order event, and most of the time no active
journey has a branch waiting on a purchase ("bought since entering the journey"). Then
an order event costs one cached answer (``PURCHASE_GATE_SECONDS``, in Django's cache:
Redis when ``CACHE_URL`` names one, shared by the web and worker processes) instead of
the search for that customer's waits.

The answer is dropped when a journey's status or steps change through the services
(``journey_set_status``, ``step_add``, ``step_remove``, ``step_move``), at once and again
at commit (another process reading in between must not keep the old answer). With the
per-process ``locmem://`` cache another process may keep it up to
``PURCHASE_GATE_SECONDS``: an order in that window ends its wait at the worker's next
sweep (``branches_met``), not at once, as when the subscriber's run is lost."""

from django.core.cache import cache
from django.db import transaction

from ...models import Journey, JourneyStep

PURCHASE_GATE_KEY = "marketing:journeys:purchase-branch"
PURCHASE_GATE_SECONDS = 5


def purchase_branches_live() -> bool:
    """Whether an active journey has a branch that waits on a purchase: one query,
    answered from the cache for ``PURCHASE_GATE_SECONDS``."""
    live = cache.get(PURCHASE_GATE_KEY)
    if live is None:
        live = JourneyStep.objects.filter(
            kind=JourneyStep.Kind.BRANCH,
            config__test="bought",
            journey__status=Journey.Status.ACTIVE,
        ).exists()
        cache.set(PURCHASE_GATE_KEY, live, PURCHASE_GATE_SECONDS)
    return bool(live)


def purchase_gate_clear() -> None:
    """Forget the answer now and when the caller's transaction commits."""
    cache.delete(PURCHASE_GATE_KEY)
    transaction.on_commit(lambda: cache.delete(PURCHASE_GATE_KEY))
