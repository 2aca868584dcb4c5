"""The cases the SLA sweep's escalations give another policy are recounted by tasks the
sweep queues on its commit (``sla_recount_task``), ``PANORAMA_SLA_RECOUNT_CHUNK`` cases
each, every one in a short transaction of its own: the sweep no longer holds the write
lock through the per-case recount. The chunks come to the same due times and notes as
the single pass did; a chunk run twice writes one note; a case closed meanwhile is left
alone; a chunk's queries do not grow with its cases."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks import default_task_backend

from panorama.service.models import Case, CaseMessage, SlaPolicy, SlaRecountPending
from panorama.service.services import sla
from panorama.service.services.escalation import escalated_recount, sla_sweep
from panorama.service.services.sla_recount import cases_recount
from panorama.service.tasks import sla_recount_task

from ..factories import CustomerFactory
from .test_escalation import MONDAY_9, setup  # noqa: F401  (the fixture)
from .test_sla_retarget_sweep import _level_two

pytestmark = pytest.mark.django_db

SWEPT_AT = MONDAY_9 + timedelta(hours=3)  # every first response (an hour) breached


def _cases(count: int, queue) -> None:
    """``count`` more open cases in Nivel 1's queue, opened seven minutes apart (each its
    own due times), one in three urgent."""
    for n in range(count):
        case = Case(
            customer=CustomerFactory(),
            subject=f"Avería {n}",
            channel="phone",
            queue=queue,
            status="open",
            priority="urgent" if n % 3 == 0 else "normal",
            reference=f"C-3{n:05}",
        )
        opened = MONDAY_9 + timedelta(minutes=7 * (n + 1))
        sla.sla_start(case, opened)
        case.save()
        Case.objects.filter(pk=case.pk).update(created_at=opened)


def _state() -> dict[int, tuple]:
    """Each case's policy, due times and recount notes."""
    notes: dict[int, list[str]] = {}
    for case_id, body in CaseMessage.objects.filter(kind="note").values_list("case_id", "body"):
        notes.setdefault(case_id, []).append(body)
    return {
        case.pk: (
            case.sla_policy_id,
            case.first_response_due,
            case.resolution_due,
            sorted(notes.get(case.pk, [])),
        )
        for case in Case.objects.all()
    }


@pytest.fixture
def escalated(setup, settings, django_capture_on_commit_callbacks):  # noqa: F811
    """Ten cases escalated to Nivel 2's queue, whose policy is tighter, by a sweep whose
    commit callbacks (the queued recount tasks) are held back: (their ids, the
    callbacks)."""
    settings.PANORAMA_SLA_RECOUNT_CHUNK = 4
    case, *_ = setup
    _level_two(setup, first=30, resolution=240)
    _cases(9, case.queue)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert sla_sweep(SWEPT_AT) == {"warned": 0, "escalated": 10}
    return sorted(Case.objects.values_list("pk", flat=True)), callbacks


def test_the_sweep_queues_a_recount_task_per_chunk_of_moved_cases(
    escalated,
    settings,
    smtp,
):
    ids, callbacks = escalated
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    # Nothing is recounted by the sweep itself: the cases moved queue, not policy yet.
    assert set(Case.objects.values_list("sla_policy__name", flat=True)) == {"Nivel 1"}
    assert not CaseMessage.objects.filter(kind="note").exists()
    for callback in callbacks:
        callback()
    queued = [r for r in default_task_backend.results if r.task.name == sla_recount_task.name]
    # ceil(10 / 4) tasks, the cases in order, each once.
    assert [r.args[0] for r in queued] == [ids[0:4], ids[4:8], ids[8:]]


def test_the_chunks_come_to_the_single_pass_due_times_and_notes(escalated, smtp):
    ids, callbacks = escalated
    # The single pass the sweep used to make: every moved case at once.
    with transaction.atomic():
        cases_recount(
            ids,
            policies=list(SlaPolicy.objects.select_related("calendar")),
            reason="escalated by the SLA sweep",
        )
        single = _state()
        transaction.set_rollback(True)
    assert not CaseMessage.objects.filter(kind="note").exists()
    for callback in callbacks:  # the immediate backend runs each task as it is queued
        callback()
    chunked = _state()
    assert chunked == single
    assert {policy for policy, *_rest in chunked.values()} == {
        SlaPolicy.objects.get(name="Nivel 2").pk
    }
    # Not all the same: the cases were opened at different times.
    assert len({due for _policy, _first, due, _notes in chunked.values()}) > 1


def test_a_chunk_run_twice_writes_one_note_and_skips_a_case_closed_meanwhile(
    escalated,
    smtp,
):
    ids, _callbacks = escalated
    closed = ids[3]
    Case.objects.filter(pk=closed).update(status=Case.Status.CLOSED)
    before = _state()[closed]
    assert escalated_recount(ids[:5]) == 4
    assert escalated_recount(ids[:5]) == 0
    assert sla_recount_task.enqueue(ids[:5]).return_value == 0  # the task, once more
    notes = CaseMessage.objects.filter(kind="note")
    assert sorted(notes.values_list("case_id", flat=True)) == [i for i in ids[:5] if i != closed]
    assert _state()[closed] == before


def test_a_chunk_costs_the_same_queries_for_two_or_eight_cases(escalated, smtp):
    ids, _callbacks = escalated
    counts, inserts = [], []
    for chunk in (ids[:2], ids[2:]):
        with CaptureQueriesContext(connection) as queries:
            assert escalated_recount(chunk) == len(chunk)
        counts.append(len(queries.captured_queries))
        sqls = [q["sql"] for q in queries.captured_queries]
        inserts.append(len([s for s in sqls if 'INSERT INTO "service_casemessage"' in s]))
    assert counts[0] == counts[1]
    # The notes in one INSERT (PostgreSQL: one COPY, which Django's query log does not see).
    assert inserts == ([1, 1] if connection.vendor == "sqlite" else [0, 0])


def test_a_recount_lost_between_the_commit_and_the_enqueue_is_done_by_a_later_sweep(
    escalated,
    smtp,
    django_capture_on_commit_callbacks,
):
    """The sweep's process died after its commit, before queueing the recounts (the
    fixture's callbacks are never run): the owed chunks are on record, and a sweep
    past ``PANORAMA_SLA_RECOUNT_RETRY_SECONDS`` queues them again."""
    ids, _lost = escalated
    owed = list(SlaRecountPending.objects.order_by("id"))
    assert [chunk.case_ids for chunk in owed] == [ids[0:4], ids[4:8], ids[8:]]
    # A minute later the tasks may still be on their way: not queued twice yet.
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(SWEPT_AT + timedelta(minutes=1))
    assert set(Case.objects.values_list("sla_policy__name", flat=True)) == {"Nivel 1"}
    assert SlaRecountPending.objects.count() == 3
    # Past the retry delay: queued again, recounted, each chunk's row gone with it.
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(SWEPT_AT + timedelta(minutes=6))
    assert set(Case.objects.values_list("sla_policy__name", flat=True)) == {"Nivel 2"}
    assert not SlaRecountPending.objects.exists()
    assert CaseMessage.objects.filter(kind="note").count() == 10
    # The original task turning up late finds its row gone: nothing twice.
    assert sla_recount_task.enqueue(ids[0:4], owed[0].pk).return_value == 0
    assert CaseMessage.objects.filter(kind="note").count() == 10


def test_a_failed_recount_task_leaves_its_chunk_owed(escalated, smtp, monkeypatch):
    ids, callbacks = escalated
    from panorama.service.services import escalation

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(escalation, "cases_recount", broken)
    for callback in callbacks:  # the immediate backend runs each task as it is queued
        callback()
    assert SlaRecountPending.objects.count() == 3  # rolled back with the failed recount
    monkeypatch.undo()
    assert escalation.recounts_requeue(SWEPT_AT + timedelta(minutes=5)) == 3
