"""The transactional outbox: an event is written with the change that emitted it (and
only then), every durable subscriber gets it at least once, a failing handler is retried
and then given up without blocking the others, a dispatcher that dies mid-batch loses
nothing and doubles nothing it wrote, old events are pruned."""

import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from panorama.core import outbox
from panorama.core.events import EventError, emit, emit_many, subscribe, unsubscribe
from panorama.core.models import AuditEvent, OutboxDelivery, OutboxEvent

pytestmark = pytest.mark.django_db

EVENT = "group.created"
PAYLOAD = {"group_id": 1, "by": None}


@pytest.fixture
def durable():
    """Register durable subscribers for one test; each records what it received."""
    names = []

    def register(name, events=(EVENT,), fail=None):
        received = []

        def handler(event, payload, event_id):
            if fail and fail(payload):
                raise RuntimeError("the subscriber is down")
            # A batch with a failure runs again event by event: count each event once.
            if event_id not in [r[2] for r in received]:
                received.append((event, payload, event_id))
            # A database effect, to check it commits with the delivery (and only once).
            AuditEvent.objects.create(kind="login", username=f"{name}:{event_id}")

        outbox.subscribe_durable(name, list(events), handler)
        names.append(name)
        return received

    yield register
    for name in names:
        outbox.unsubscribe_durable(name)


def test_nothing_is_written_when_no_durable_subscriber_listens(django_assert_num_queries):
    with django_assert_num_queries(0):
        emit(EVENT, **PAYLOAD)
    assert OutboxEvent.objects.count() == 0


def test_an_event_is_written_with_its_change_and_delivered_once(durable):
    received = durable("crm.test")
    with pytest.raises(RuntimeError), transaction.atomic():
        emit(EVENT, **PAYLOAD)
        raise RuntimeError("the change is rolled back: so is its event")
    assert OutboxEvent.objects.count() == 0
    with transaction.atomic():
        emit(EVENT, **PAYLOAD)
    event = OutboxEvent.objects.get()
    assert (event.name, event.payload) == (EVENT, PAYLOAD)
    assert outbox.outbox_dispatch() == 1
    assert received == [(EVENT, PAYLOAD, event.pk)]
    assert outbox.outbox_dispatch() == 0  # delivered: not again
    delivery = OutboxDelivery.objects.get()
    assert delivery.delivered_at is not None and delivery.attempts == 1


def test_each_subscriber_gets_only_its_events_and_a_failing_one_blocks_nobody(durable):
    broken = durable("crm.broken", fail=lambda payload: True)
    fine = durable("crm.fine", events=["*"])
    for n in range(3):
        emit(EVENT, group_id=n, by=None)
    emit("group.member_removed", group_id=1, customer_id=1, by=None)
    outbox.outbox_dispatch()
    assert [payload["group_id"] for _e, payload, _id in fine if _e == EVENT] == [0, 1, 2]
    assert len(fine) == 4 and broken == []
    failed = OutboxDelivery.objects.filter(subscriber="crm.broken")
    assert failed.count() == 3  # group.member_removed is not its event
    assert all(d.attempts == 1 and d.delivered_at is None and "down" in d.error for d in failed)
    # Its rolled-back effects left nothing; the other's committed.
    assert not AuditEvent.objects.filter(username__startswith="crm.broken").exists()
    assert AuditEvent.objects.filter(username__startswith="crm.fine").count() == 4


def test_a_failed_delivery_is_retried_later_and_given_up_after_the_last_attempt(durable):
    calls = durable("crm.flaky", fail=lambda payload: True)
    emit(EVENT, **PAYLOAD)
    now = timezone.now()
    outbox.outbox_dispatch(now=now)
    delivery = OutboxDelivery.objects.get()
    assert delivery.next_attempt_at == now + datetime.timedelta(minutes=1)
    assert outbox.outbox_dispatch(now=now) == 0  # not due yet
    later = now
    for _attempt in range(outbox.MAX_ATTEMPTS - 1):
        later += datetime.timedelta(hours=7)
        outbox.outbox_dispatch(now=later)
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.gave_up) == (outbox.MAX_ATTEMPTS, True)
    assert outbox.outbox_dispatch(now=later + datetime.timedelta(days=1)) == 0
    assert calls == []


def test_a_delivery_that_fails_once_succeeds_on_the_retry(durable):
    state = {"up": False}
    received = durable("crm.once", fail=lambda payload: not state["up"])
    emit(EVENT, **PAYLOAD)
    now = timezone.now()
    outbox.outbox_dispatch(now=now)
    state["up"] = True
    outbox.outbox_dispatch(now=now + datetime.timedelta(minutes=2))
    assert len(received) == 1
    delivery = OutboxDelivery.objects.get()
    assert (delivery.attempts, delivery.error, delivery.gave_up) == (2, "", False)


def test_a_dispatcher_dying_mid_batch_delivers_everything_and_doubles_nothing(durable):
    received = durable("crm.counted")
    for n in range(10):
        emit(EVENT, group_id=n, by=None)
    killed = {"at": 6}

    def dying(event, payload, event_id):
        if payload["group_id"] == killed["at"]:
            raise SystemExit("killed")  # not an Exception: the whole batch is torn down
        received.append(payload["group_id"])
        AuditEvent.objects.create(kind="login", username=f"crm.counted:{event_id}")

    outbox.unsubscribe_durable("crm.counted")
    outbox.subscribe_durable("crm.counted", [EVENT], dying)
    with pytest.raises(SystemExit):
        outbox.outbox_dispatch()
    # The handler ran for 0-5, but nothing it wrote nor any delivery mark committed.
    assert not AuditEvent.objects.exists()
    assert not OutboxDelivery.objects.filter(delivered_at__isnull=False).exists()
    killed["at"] = None
    outbox.outbox_dispatch()  # the restarted dispatcher
    effects = list(AuditEvent.objects.values_list("username", flat=True))
    assert len(effects) == len(set(effects)) == 10  # every event's effect, once
    assert OutboxDelivery.objects.filter(delivered_at__isnull=False).count() == 10


def test_old_delivered_events_are_pruned_and_waiting_ones_kept(durable, settings):
    durable("crm.prune", fail=lambda payload: payload["group_id"] == 2)
    emit(EVENT, group_id=1, by=None)
    emit(EVENT, group_id=2, by=None)
    outbox.outbox_dispatch()  # the first delivered, the second failed (waiting)
    OutboxEvent.objects.update(created_at=timezone.now() - datetime.timedelta(days=30))
    settings.PANORAMA_OUTBOX_RETENTION_DAYS = 7
    assert outbox.outbox_prune() == 1
    assert list(OutboxEvent.objects.values_list("payload__group_id", flat=True)) == [2]


def test_the_worker_thread_dispatches_until_stopped(durable):
    received = durable("crm.loop")
    emit(EVENT, **PAYLOAD)
    stop = threading.Event()
    stop.set()  # one round, then stop (the loop closes its connection: keep ours)
    from unittest import mock

    with mock.patch("panorama.core.outbox.connection.close"):
        outbox.dispatch_loop(stop, interval=0)
    assert len(received) == 1


def test_the_command_dispatches_and_reports(durable, capsys):
    received = durable("crm.command", fail=lambda payload: payload["group_id"] == 2)
    emit(EVENT, group_id=1, by=None)
    emit(EVENT, group_id=2, by=None)
    call_command("outbox")
    call_command("outbox", status=True)
    out = capsys.readouterr().out
    assert len(received) == 1
    assert "crm.command: 1 pending, 1 delivered, 0 given up" in out


def test_unknown_events_and_a_second_subscriber_under_one_name_are_refused(durable):
    with pytest.raises(EventError):
        outbox.subscribe_durable("crm.x", ["no.such.event"], lambda *a: None)
    durable("crm.same")
    with pytest.raises(EventError):
        outbox.subscribe_durable("crm.same", [EVENT], lambda *a: None)


def test_the_bench_measures_the_dispatch_and_leaves_nothing_behind():
    from panorama.bench.outbox import events_per_second

    assert events_per_second(count=600) > 0
    assert not OutboxEvent.objects.exists() and not OutboxDelivery.objects.exists()
    assert "bench.noop" not in [s.name for s in outbox.durable_subscribers()]


def test_an_administrator_retries_a_given_up_delivery_but_edits_nothing(client, durable):
    from tests.factories import AdminFactory

    durable("crm.admin", fail=lambda payload: True)
    emit(EVENT, **PAYLOAD)
    delivery = OutboxDelivery.objects.get()
    OutboxDelivery.objects.update(gave_up=True, attempts=outbox.MAX_ATTEMPTS)
    client.force_login(AdminFactory())
    page = client.get(f"/admin/core/outboxdelivery/{delivery.pk}/change/").content.decode()
    assert 'name="subscriber"' not in page and "crm.admin" in page
    client.post(
        "/admin/core/outboxdelivery/",
        {"action": "retry", "_selected_action": [delivery.pk]},
    )
    delivery.refresh_from_db()
    assert delivery.gave_up is False and delivery.next_attempt_at <= timezone.now()


def test_a_set_based_change_writes_its_events_in_bulk_and_delivers_each(
    durable, django_assert_max_num_queries
):
    received = durable("crm.bulk")
    payloads = [{"group_id": n, "by": None} for n in range(1, 301)]
    # Bulk INSERTs of the events then their deliveries (SQLite splits them by its limit
    # on parameters), not one statement per event.
    with django_assert_max_num_queries(6):
        emit_many(EVENT, payloads)
    assert OutboxEvent.objects.count() == 300
    outbox.outbox_dispatch()
    assert [r[1]["group_id"] for r in sorted(received, key=lambda r: r[2])] == list(range(1, 301))


def test_a_large_set_is_written_as_plain_rows_and_delivered_to_each_subscriber_once(
    durable, django_assert_max_num_queries
):
    # From BULK_WRITE_FROM events on, the rows go through core.bulk (COPY on PostgreSQL):
    # the same events and deliveries as bulk_create, a few statements for the whole set.
    first, second = durable("crm.first"), durable("crm.second")
    count = outbox.BULK_WRITE_FROM + 1
    payloads = [{"group_id": n, "by": None} for n in range(1, count + 1)]
    with pytest.raises(RuntimeError), transaction.atomic():
        emit_many(EVENT, payloads)
        raise RuntimeError("rolled back with the change")
    assert OutboxEvent.objects.count() == 0
    with transaction.atomic(), django_assert_max_num_queries(10):
        emit_many(EVENT, payloads)
    events = list(OutboxEvent.objects.order_by("pk"))
    assert [e.payload for e in events] == payloads
    assert {e.name for e in events} == {EVENT}
    assert OutboxDelivery.objects.filter(delivered_at=None, gave_up=False).count() == 2 * count
    outbox.outbox_dispatch()
    for received in (first, second):
        assert sorted(r[1]["group_id"] for r in received) == list(range(1, count + 1))
    assert not OutboxDelivery.objects.filter(delivered_at=None).exists()


def test_one_bad_payload_refuses_the_whole_set_and_writes_nothing(durable):
    durable("crm.bulk")
    with pytest.raises(EventError, match="group_id"):
        emit_many(EVENT, [{"group_id": 1, "by": None}, {"group_id": "x", "by": None}])
    assert OutboxEvent.objects.count() == 0


def test_in_process_subscribers_get_each_payload_after_the_commit(
    django_capture_on_commit_callbacks,
):
    got = []

    def handler(event, payload):
        got.append(payload["group_id"])

    subscribe(EVENT, handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            emit_many(EVENT, [{"group_id": 1, "by": None}, {"group_id": 2, "by": None}])
            assert got == []  # nothing before the commit
    finally:
        unsubscribe(EVENT, handler)
    assert got == [1, 2]
