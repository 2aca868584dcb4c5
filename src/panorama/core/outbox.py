"""The transactional outbox: domain events that must not be lost.

``core.events.emit`` writes an ``OutboxEvent`` row, and one ``OutboxDelivery`` row per
*durable subscriber* listening to it, in the transaction of the change: the event exists
exactly when the change committed, so a process dying between the commit and the
dispatch loses nothing. (Events nobody durable listens to are not written.)

The dispatcher (``outbox_dispatch``: the task worker runs it every
``PANORAMA_OUTBOX_POLL_SECONDS``; ``panorama outbox`` runs it by hand) delivers each
event to each subscriber at least once:

- it takes a batch of a subscriber's pending deliveries (``SKIP LOCKED`` on PostgreSQL,
  so two dispatchers share the work), calls the handlers (the batch in one savepoint;
  when one fails, again one savepoint per event) and marks the batch delivered, all in
  one transaction: what a handler writes to the database and
  the mark commit together, so a dispatcher killed mid-batch rolls both back and the
  batch is delivered again with no visible double effect. Effects outside the database
  (a mail sent) may repeat: such handlers must be idempotent (they get the event id);
- a handler that raises has its savepoint rolled back, its delivery is retried after 1,
  2, 4… minutes (at most 6 hours) and, after ``MAX_ATTEMPTS``, left ``gave_up`` for a
  person to see in the admin; the rest of the batch goes on;
- ``outbox_prune`` deletes events older than ``PANORAMA_OUTBOX_RETENTION_DAYS`` whose
  deliveries are all done or given up.

A durable subscriber is registered from an app's ``ready()``::

    outbox.subscribe_durable("automation.rules", ["opportunity.won"], handler)

with ``handler(name, payload, event_id)``; it receives the events emitted from then on.
A subscriber that can take a whole batch at once (a few queries for 500 events instead
of a few per event) also passes ``batch_handler(events)``, called with the batch's
``(name, payload, event_id)`` in order; when it raises, the batch falls back to
``handler`` one event at a time, as above. A subscriber may pass ``gate(event)``: asked
at each emit, False writes nothing for it (the rules take a busy channel event only while
a rule listens to it).
In-process subscribers (``events.subscribe``) still run right after the commit, best
effort, for what may be lost (a live notification, the tests' ``emitted``).
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

logger = logging.getLogger(__name__)
DurableHandler = Callable[[str, dict[str, Any], int], None]
BatchHandler = Callable[[list[tuple[str, dict[str, Any], int]]], None]
MAX_ATTEMPTS = 10
BATCH = 500
# From this many events at once, ``outbox_write_many`` writes plain rows in bulk (below,
# ``bulk_create``: the same statements as a single ``emit``).
BULK_WRITE_FROM = 500


@dataclass(frozen=True)
class DurableSubscriber:
    name: str
    events: frozenset[str]  # "*" in it: every event
    handler: DurableHandler
    batch_handler: BatchHandler | None = None
    # Asked at each emit of an event it takes: False, and no row is written for it now
    # (the rules' subscriber: a busy event costs nothing while no rule listens to it).
    gate: Callable[[str], bool] | None = None

    def wants(self, event: str) -> bool:
        return ("*" in self.events or event in self.events) and (
            self.gate is None or self.gate(event)
        )


_durable: dict[str, DurableSubscriber] = {}


def subscribe_durable(
    name: str,
    events: list[str],
    handler: DurableHandler,
    *,
    batch_handler: BatchHandler | None = None,
    gate: Callable[[str], bool] | None = None,
) -> None:
    """Register the durable subscriber ``name`` (its deliveries' key) for ``events``
    ("*": all of them); ``batch_handler``, if given, takes whole batches; ``gate``, if
    given, says at each emit whether it wants that event now (no: nothing written)."""
    from .events import EventError, catalogue

    unknown = [e for e in events if e != "*" and e not in catalogue]
    if unknown:
        raise EventError(f"no event {unknown[0]!r} in the catalogue")
    known = _durable.get(name)
    if known is not None and known.handler is not handler:
        raise EventError(f"durable subscriber {name!r} is registered twice")
    _durable[name] = DurableSubscriber(name, frozenset(events), handler, batch_handler, gate)


def unsubscribe_durable(name: str) -> None:
    _durable.pop(name, None)


def durable_subscribers() -> list[DurableSubscriber]:
    return list(_durable.values())


def outbox_write_many(event: str, payloads: list[dict[str, Any]]) -> None:
    """Write one ``event`` row per payload and their deliveries in the current
    transaction (two bulk INSERTs), when a durable subscriber wants the event."""
    from .events import batches
    from .models import OutboxDelivery, OutboxEvent

    names = [s.name for s in _durable.values() if s.wants(event)]
    if not names or not payloads:
        return
    # A batch event (``core.events.event(batch_of=...)``) carries up to a thousand
    # elements: bulk_create's array parameters escape its JSON character by character
    # in Python (3.5 s of a 90k-case SLA sweep for 57 rows, COPY 0.1 s).
    if len(payloads) >= BULK_WRITE_FROM or event in batches:
        _write_bulk(event, payloads, names)
        return
    rows = OutboxEvent.objects.bulk_create(
        [OutboxEvent(name=event, payload=payload) for payload in payloads], batch_size=2000
    )
    OutboxDelivery.objects.bulk_create(
        [OutboxDelivery(event=row, subscriber=name) for row in rows for name in names],
        batch_size=2000,
    )


def _write_bulk(event: str, payloads: list[dict[str, Any]], names: list[str]) -> None:
    """``outbox_write_many`` for a set-based change: plain rows through ``core.bulk``
    (``COPY`` on PostgreSQL, one prepared INSERT on SQLite), ids reserved up front.
    ``bulk_create`` compiles every value of every row: for the SLA sweep's 150k
    escalations that was ~70 % of the sweep on PostgreSQL."""
    from .bulk import model_attnames, rows_insert
    from .models import OutboxDelivery, OutboxEvent

    now = timezone.now()
    width = len(model_attnames(OutboxEvent))
    at = model_attnames(OutboxEvent).index("payload")
    events = []
    for payload in payloads:
        row: list[Any] = [None] * width
        row[at] = payload
        events.append(row)
    # SQLite reserves ids under the transaction's write lock; inside the caller's
    # transaction (the change's), no savepoint of its own.
    with transaction.atomic(savepoint=False):
        ids = rows_insert(OutboxEvent, events, name=event, created_at=now)
        width = len(model_attnames(OutboxDelivery))
        at = model_attnames(OutboxDelivery).index("event_id")
        for name in names:
            deliveries = []
            for event_id in ids:
                row = [None] * width
                row[at] = event_id
                deliveries.append(row)
            rows_insert(
                OutboxDelivery,
                deliveries,
                subscriber=name,
                attempts=0,
                next_attempt_at=now,
                delivered_at=None,
                gave_up=False,
                error="",
            )


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def _deliver(subscriber: DurableSubscriber, event) -> str:
    """Call the handler in a savepoint; "" on success, else the error (rolled back)."""
    try:
        with transaction.atomic():
            subscriber.handler(event.name, event.payload, event.pk)
    except Exception as exc:  # one failing event must not block the others
        logger.exception("outbox subscriber %s failed on event %s", subscriber.name, event.pk)
        return f"{type(exc).__name__}: {exc}"[:2000]
    return ""


def _deliver_all(subscriber: DurableSubscriber, rows: list) -> dict[int, str]:
    """Each delivery's error ("" for success). The batch runs in one savepoint (two
    round trips instead of two per event); when a handler fails, that savepoint is
    rolled back and the batch runs again one savepoint per event, so only the failing
    events' writes are lost (handlers run again for the others: at least once). A
    subscriber's ``batch_handler`` takes the whole batch in that first savepoint."""
    try:
        with transaction.atomic():
            if subscriber.batch_handler is not None:
                events = [(r.event.name, r.event.payload, r.event.pk) for r in rows]
                subscriber.batch_handler(events)
            else:
                for row in rows:
                    subscriber.handler(row.event.name, row.event.payload, row.event.pk)
    except Exception:
        return {row.pk: _deliver(subscriber, row.event) for row in rows}
    return dict.fromkeys((row.pk for row in rows), "")


def _dispatch_batch(subscriber: DurableSubscriber, batch: int, now) -> int:
    """Deliver up to ``batch`` pending deliveries of ``subscriber`` in one transaction.
    Returns how many were attempted."""
    from .models import OutboxDelivery

    with transaction.atomic():
        pending = OutboxDelivery.objects.filter(
            subscriber=subscriber.name,
            delivered_at__isnull=True,
            gave_up=False,
            next_attempt_at__lte=now,
        ).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True, of=("self",))
        rows = list(pending.select_related("event")[:batch])
        done, failed = [], []
        errors = _deliver_all(subscriber, rows)
        for row in rows:
            error = errors[row.pk]
            if not error:
                done.append(row.pk)
                continue
            row.attempts += 1
            row.error = error
            row.gave_up = row.attempts >= MAX_ATTEMPTS
            row.next_attempt_at = now + _backoff(row.attempts)
            failed.append(row)
        if done:
            OutboxDelivery.objects.filter(pk__in=done).update(
                delivered_at=now, attempts=F("attempts") + 1, error=""
            )
        if failed:
            OutboxDelivery.objects.bulk_update(
                failed, ["attempts", "error", "gave_up", "next_attempt_at"]
            )
        return len(rows)


def outbox_dispatch(*, batch: int = BATCH, rounds: int = 100, now=None) -> int:
    """Deliver what is due to every durable subscriber (at most ``rounds`` batches each).
    Returns how many deliveries were attempted."""
    attempted = 0
    for subscriber in durable_subscribers():
        for _round in range(rounds):
            read = _dispatch_batch(subscriber, batch, now or timezone.now())
            attempted += read
            if read < batch:
                break
    return attempted


def outbox_prune(now=None) -> int:
    """Delete the events older than the retention whose deliveries are all done or given
    up (with those deliveries). Returns how many events."""
    from .models import OutboxDelivery, OutboxEvent

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PANORAMA_OUTBOX_RETENTION_DAYS)
    waiting = OutboxDelivery.objects.filter(
        event=OuterRef("pk"), delivered_at__isnull=True, gave_up=False
    )
    old = OutboxEvent.objects.filter(created_at__lt=cutoff).exclude(Exists(waiting))
    ids = list(old.values_list("pk", flat=True)[:50_000])
    OutboxDelivery.objects.filter(event_id__in=ids).delete()
    deleted, _detail = OutboxEvent.objects.filter(pk__in=ids).delete()
    return deleted


def dispatch_loop(stop, interval: float | None = None) -> None:
    """The worker's dispatcher thread: dispatch, then wait ``interval`` seconds (or until
    ``stop`` is set); prune once an hour."""
    interval = settings.PANORAMA_OUTBOX_POLL_SECONDS if interval is None else interval
    pruned_at = 0.0
    try:
        while True:
            try:
                outbox_dispatch()
                if time.monotonic() - pruned_at > 3600:
                    outbox_prune()
                    pruned_at = time.monotonic()
            except Exception:
                logger.exception("outbox dispatch failed; again in %s s", interval)
            if stop.wait(interval):
                break
    finally:
        connection.close()
