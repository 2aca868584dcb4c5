"""The SLA sweep's cost does not grow with the cases it escalates: the same queries for
one escalation or thirty, one outbox row per policy and batch of escalations (not one
per case), and yet the rules on ``case.escalated`` and its in-process subscribers see
one event per escalation, once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.automation.engine import SUBSCRIBER
from panorama.automation.models import EventCheck, RuleRun
from panorama.automation.services.rules import rule_save
from panorama.core import outbox
from panorama.core.events import subscribe, unsubscribe
from panorama.core.models import OutboxDelivery, OutboxEvent
from panorama.service.models import Case
from panorama.service.services import escalation, sla
from panorama.service.services.escalation import sla_sweep

from ..factories import CustomerFactory
from .test_escalation import MONDAY_9, setup  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _open_cases(count: int, queue) -> list[Case]:
    cases = []
    for n in range(count):
        case = Case(
            customer=CustomerFactory(),
            subject=f"Avería {n}",
            channel="phone",
            queue=queue,
            status="open",
            priority="normal",
            reference=f"C-1{n:05}",
        )
        sla.sla_start(case, MONDAY_9)
        case.save()
        cases.append(case)
    return cases


def _sweep(now) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        done = sla_sweep(now)
    return done, [q["sql"] for q in queries.captured_queries]


def _case_writes(sqls: list[str]) -> int:
    return sum(1 for sql in sqls if sql.startswith('UPDATE "service_case"'))


def test_the_sweep_costs_the_same_queries_for_one_or_thirty_escalations(
    setup,  # noqa: F811
    smtp,
    monkeypatch,
):
    case, policy, _second, _boss = setup
    monkeypatch.setattr(escalation, "PER_EVENT", 10)  # 30 escalations: 3 events
    done, one = _sweep(MONDAY_9 + timedelta(minutes=61))
    assert done == {"warned": 0, "escalated": 1}
    assert OutboxEvent.objects.filter(name="sla.cases_escalated").count() == 1

    _open_cases(30, case.queue)
    done, thirty = _sweep(MONDAY_9 + timedelta(minutes=62))
    assert done == {"warned": 0, "escalated": 30}
    # The same statements (an UPDATE per policy for the warnings, one for the breaches,
    # the e-mail's references, the outbox's rows), whatever the number of cases.
    assert len(thirty) == len(one)
    assert _case_writes(thirty) == _case_writes(one) == 2
    batches = OutboxEvent.objects.filter(name="sla.cases_escalated").order_by("id")
    assert [len(e.payload["escalations"]) for e in batches] == [1, 10, 10, 10]
    # One delivery per event for the rules, none per case.
    assert OutboxDelivery.objects.filter(event__in=batches).count() == 4
    assert not OutboxEvent.objects.filter(name="case.escalated").exists()
    assert len(smtp.messages) == 2  # the manager is told once per sweep


def test_a_subscriber_of_case_escalated_gets_one_event_per_escalation(
    setup,  # noqa: F811
    smtp,
    django_capture_on_commit_callbacks,
):
    case, policy, second, boss = setup
    got = []

    def record(name, payload):
        got.append((name, payload))

    subscribe("case.escalated", record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            sla_sweep(MONDAY_9 + timedelta(days=3))  # both targets breached
    finally:
        unsubscribe("case.escalated", record)
    now = {"policy_id": policy.pk, "queue_id": second.pk, "owner_id": boss.pk}
    assert got == [
        ("case.escalated", {"case_id": case.pk, "target": target, **now, "priority": "urgent"})
        for target in ("first_response", "resolution")
    ]


def _deliver_to_the_rules() -> None:
    subscriber = next(s for s in outbox.durable_subscribers() if s.name == SUBSCRIBER)
    outbox._dispatch_batch(subscriber, outbox.BATCH, outbox.timezone.now())


def test_the_rules_on_case_escalated_run_once_per_escalation_of_a_batch(
    setup,  # noqa: F811
    smtp,
    admin_user,
):
    case, policy, *_ = setup
    rule = rule_save(
        by=admin_user,
        data={
            "name": "Escalated to urgent",
            "event": "case.escalated",
            "conditions": {"all": [{"field": "event.priority", "op": "eq", "value": "urgent"}]},
        },
    )
    others = _open_cases(4, case.queue)
    Case.objects.filter(pk=others[0].pk).update(priority="high")  # raised to urgent
    sla_sweep(MONDAY_9 + timedelta(minutes=61))
    [event] = OutboxEvent.objects.filter(name="sla.cases_escalated")
    _deliver_to_the_rules()
    assert sorted(EventCheck.objects.values_list("key", flat=True)) == [
        f"event:{event.pk}:{i}" for i in range(5)
    ]
    [run] = RuleRun.objects.filter(rule=rule, matched=True)
    position = int(run.key.rsplit(":", 1)[1])
    assert event.payload["escalations"][position]["case_id"] == others[0].pk
    assert RuleRun.objects.count() == 1  # the others: checked, their misses kept
    assert all(check.misses for check in EventCheck.objects.exclude(key=run.key))

    # Delivered again (a dispatcher died before its commit): nothing is done twice.
    OutboxDelivery.objects.filter(subscriber=SUBSCRIBER).update(delivered_at=None)
    _deliver_to_the_rules()
    assert EventCheck.objects.count() == 5 and RuleRun.objects.count() == 1
    assert policy.pk == event.payload["policy_id"]
