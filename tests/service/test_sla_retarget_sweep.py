"""The SLA sweep's escalation that moves a case to another queue or raises its priority
recomputes its due times by the rule of a priority change when that gives the case
another policy: from its opening, in the new policy's business hours (by the recount
tasks the sweep queues on its commit: ``sweep`` runs them, as the worker would). Breaches
already escalated stay escalated; a covering contract still wins; the sweep's queries
stay the same whatever the number of cases it recomputes."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.catalog.models import Product
from panorama.service.models import Case, CaseMessage, SlaPolicy
from panorama.service.services import sla
from panorama.service.services.asset import contract_create
from panorama.service.services.escalation import sla_sweep

from ..factories import CustomerFactory
from .test_escalation import MADRID, MONDAY_9, setup  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The sweep at ``now``, then the recount tasks it queued on its commit (the
    immediate backend runs them at once, as the worker would a moment later)."""

    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return sla_sweep(now)

    return run


def _level_two(setup, first: int, resolution: int) -> SlaPolicy:  # noqa: F811
    """The queue the breaches go to gets its own policy; the case was opened at 9:00."""
    case, policy, second, _boss = setup
    Case.objects.filter(pk=case.pk).update(created_at=MONDAY_9)
    return sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Nivel 2",
            calendar=policy.calendar,
            queue=second,
            first_response_minutes=first,
            resolution_minutes=resolution,
            warn_minutes=30,
        ),
    )


def test_an_escalation_to_a_queue_with_a_tighter_policy_brings_its_due_times(
    setup,  # noqa: F811
    smtp,
    client,
    api_as,
    sweep,
):
    case, _policy, _second, boss = setup
    _level_two(setup, first=30, resolution=240)
    assert case.resolution_due == MONDAY_9 + timedelta(hours=8)  # Nivel 1: 480 min
    assert sweep(MONDAY_9 + timedelta(minutes=61)) == {"warned": 0, "escalated": 1}
    case.refresh_from_db()
    assert (case.sla_policy.name, case.priority) == ("Nivel 2", "high")
    # Counted again from the opening at 9:00 in Nivel 2's business hours.
    assert case.first_response_due == MONDAY_9 + timedelta(minutes=30)
    assert case.resolution_due == MONDAY_9 + timedelta(hours=4)
    shown = api_as(boss).get(f"/cases/{case.pk}").json()
    assert shown["resolution_due"].startswith("2026-11-23T12:00:00")  # 13:00 Madrid
    client.force_login(boss)
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert "Service level · Nivel 2" in page
    # The recount says so on the case's thread: an internal note with what moved.
    note = case.messages.get(kind="note")
    assert note.author is None
    assert note.body.splitlines()[0] == (
        "Service level Nivel 1 → Nivel 2: due times recounted (escalated by the SLA sweep)."
    )
    assert "Resolution due: 11/23/2026 17:00 → 11/23/2026 13:00" in note.body
    assert "due times recounted" in page

    # The first response, breached and escalated already, is not escalated again; the
    # resolution breaches at the new time, not at Nivel 1's 17:00.
    assert sweep(MONDAY_9 + timedelta(hours=3)) == {"warned": 0, "escalated": 0}
    assert sweep(MONDAY_9 + timedelta(hours=4, minutes=1)) == {"warned": 0, "escalated": 1}
    case.refresh_from_db()
    assert case.response_escalated_at == MONDAY_9 + timedelta(minutes=61)
    assert case.resolution_escalated_at == MONDAY_9 + timedelta(hours=4, minutes=1)
    assert (case.sla_policy.name, case.priority) == ("Nivel 2", "urgent")


def test_a_looser_policy_moves_the_targets_later_and_the_sweep_warns_again(
    setup,  # noqa: F811
    smtp,
    sweep,
):
    case, *_ = setup
    _level_two(setup, first=120, resolution=960)
    assert sweep(MONDAY_9 + timedelta(minutes=40)) == {"warned": 1, "escalated": 0}
    assert sweep(MONDAY_9 + timedelta(minutes=61)) == {"warned": 0, "escalated": 1}
    case.refresh_from_db()
    assert case.first_response_due == MONDAY_9 + timedelta(hours=2)
    # 960 business minutes: Monday 9-18, then seven hours on Tuesday.
    assert case.resolution_due == MONDAY_9 + timedelta(days=1, hours=7)
    assert case.sla_warned_at is None
    assert sweep(MONDAY_9 + timedelta(minutes=100)) == {"warned": 1, "escalated": 0}
    # Past the new first-response time: escalated once already, not again.
    assert sweep(MONDAY_9 + timedelta(minutes=121)) == {"warned": 0, "escalated": 0}


def test_no_policy_for_the_new_queue_or_a_covering_contract_keeps_the_due_times(
    setup,  # noqa: F811
    smtp,
    sweep,
):
    case, policy, *_ = setup
    Case.objects.filter(pk=case.pk).update(created_at=MONDAY_9)
    due = case.resolution_due
    sweep(MONDAY_9 + timedelta(minutes=61))  # no Nivel 2 policy: kept
    case.refresh_from_db()
    assert (case.sla_policy, case.resolution_due) == (policy, due)
    assert not case.messages.filter(kind="note").exists()  # nothing moved, nothing said

    # A contract covering the product gives Nivel 1 whatever the queue: kept as well.
    _level_two(setup, first=30, resolution=240)
    router = Product.objects.create(sku="RT-1", name="Router", list_price=90)
    covered = Case.objects.create(
        customer=CustomerFactory(),
        subject="Sin línea",
        channel="phone",
        queue=case.queue,
        product=router,
        status="open",
        priority="normal",
        reference="C-000002",
    )
    contract_create(
        by=None,
        customer_id=covered.customer_id,
        name="Mantenimiento",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        product_ids=[router.pk],
        sla_policy_id=policy.pk,
    )
    sla.sla_start(covered, MONDAY_9)
    covered.save()
    Case.objects.filter(pk=covered.pk).update(created_at=MONDAY_9)
    assert covered.sla_policy == policy
    assert sweep(MONDAY_9 + timedelta(minutes=62)) == {"warned": 0, "escalated": 1}
    covered.refresh_from_db()
    assert covered.queue.name == "Nivel 2"
    assert (covered.sla_policy, covered.resolution_due) == (policy, MONDAY_9 + timedelta(hours=8))


def _open_cases(count: int, queue) -> None:
    for n in range(count):
        case = Case(
            customer=CustomerFactory(),
            subject=f"Avería {n}",
            channel="phone",
            queue=queue,
            status="open",
            priority="normal",
            reference=f"C-2{n:05}",
        )
        sla.sla_start(case, MONDAY_9)
        case.save()
        Case.objects.filter(pk=case.pk).update(created_at=MONDAY_9)


def _sweep(now) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        done = sla_sweep(now)
    return done, [q["sql"] for q in queries.captured_queries]


def test_the_sweep_costs_the_same_queries_for_one_or_thirty_recomputed_cases(
    setup,  # noqa: F811
    smtp,
    emitted,
):
    case, *_ = setup
    level_two = _level_two(setup, first=30, resolution=240)
    with emitted():
        done, one = _sweep(MONDAY_9 + timedelta(minutes=61))
    assert done == {"warned": 0, "escalated": 1}
    _open_cases(30, case.queue)
    with emitted() as events:
        done, thirty = _sweep(MONDAY_9 + timedelta(minutes=62))
    assert done == {"warned": 0, "escalated": 30}
    assert len(thirty) == len(one)
    # One UPDATE for the warnings (both policies warn 30 minutes ahead) and one per way
    # of escalating (Nivel 1 to Nivel 2's queue, Nivel 2 nowhere); the due times of the
    # thirty cases Nivel 1 sent to Nivel 2's queue are not the sweep's to write (the
    # recount task's, queued on its commit: tests/service/test_sla_recount_tasks.py).
    writes = [sql for sql in thirty if 'UPDATE "service_case"' in sql]
    assert len(writes) == 1 + 2
    assert not [sql for sql in thirty if "service_casemessage" in sql]
    assert Case.objects.filter(sla_policy=level_two).count() == 31
    # One note per recounted case, and one grouped event for the thirty notes, not a
    # ``case.message_added`` each.
    assert CaseMessage.objects.filter(kind="note", body__contains="Nivel 2").count() == 31
    [recounted] = [payload for name, payload in events if name == "sla.cases_recounted"]
    assert len(recounted["cases"]) == 30
    assert recounted["reason"] == "escalated by the SLA sweep"
    assert "case.message_added" not in {name for name, _payload in events}
    assert set(Case.objects.values_list("resolution_due", flat=True)) == {
        MONDAY_9.astimezone(MADRID) + timedelta(hours=4)
    }
