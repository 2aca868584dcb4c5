"""``outbox_events_per_s``: domain events delivered by the transactional outbox's
dispatcher to a durable subscriber that does nothing, per second (the events are
emitted first, in transactions of 500, as services would; only the dispatch is timed)."""

import time

from django.db import transaction

from panorama.core import outbox
from panorama.core.events import emit
from panorama.core.models import OutboxDelivery, OutboxEvent

SUBSCRIBER = "bench.noop"


def events_per_second(count: int = 20_000) -> float:
    outbox.subscribe_durable(SUBSCRIBER, ["group.created"], lambda *args: None)
    try:
        for start in range(0, count, 500):
            with transaction.atomic():
                for n in range(start, min(start + 500, count)):
                    emit("group.created", group_id=n, by=None)
        began = time.perf_counter()
        delivered = outbox.outbox_dispatch(rounds=count // outbox.BATCH + 1)
        seconds = time.perf_counter() - began
    finally:
        outbox.unsubscribe_durable(SUBSCRIBER)
        OutboxDelivery.objects.filter(subscriber=SUBSCRIBER).delete()
        OutboxEvent.objects.filter(deliveries__isnull=True).delete()
    return round(delivered / seconds) if seconds else 0.0
