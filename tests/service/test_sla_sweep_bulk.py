"""The SLA sweep in bulk (issue 10): its warnings' alerts inserted as plain rows and told
in one batch event, the marks and escalations read back raw from the UPDATEs. For a
small desk it leaves the same alerts, events and case marks as the one-by-one rules
said, and its queries do not grow with the cases it warns and escalates."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.automation.models import Alert
from panorama.core.models import OutboxEvent
from panorama.service.models import Case
from panorama.service.services import sla
from panorama.service.services.escalation import sla_sweep

from ..factories import CustomerFactory
from .test_escalation import MONDAY_9, setup  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
AT = MONDAY_9 + timedelta(hours=7, minutes=40)  # 16:40 in Madrid: resolutions due at 17:00


def _desk(queue, agent, n: int = 0) -> dict[str, Case]:
    """An unanswered case of the agent's, an answered one, an unowned one and a waiting
    one, all opened on Monday at 9 (first response due 10:00, resolution 17:00)."""
    made = {}
    for kind, owner, status in (
        ("unanswered", agent, "open"),
        ("answered", agent, "open"),
        ("unowned", None, "new"),
        ("waiting", agent, "waiting"),
    ):
        case = Case(
            customer=CustomerFactory(),
            subject=kind,
            channel="phone",
            queue=queue,
            owner=owner,
            status=status,
            priority="normal",
            reference=f"C-9{n}{len(made)}",
        )
        sla.sla_start(case, MONDAY_9)
        if kind == "answered":
            case.first_response_at = MONDAY_9 + timedelta(minutes=10)
        if kind == "waiting":
            case.sla_paused_at = MONDAY_9 + timedelta(minutes=5)
        case.save()
        made[kind] = case
    return made


def test_the_sweep_leaves_the_alerts_events_and_marks_the_rules_say(
    setup,  # noqa: F811
    smtp,
    emitted,
):
    first, policy, second, boss = setup
    first.delete()
    desk = _desk(first.queue, first.owner)
    with emitted() as events:
        assert sla_sweep(AT) == {"warned": 3, "escalated": 2}
    cases = {kind: Case.objects.get(pk=case.pk) for kind, case in desk.items()}
    # Marks: the three running cases warned, the two unanswered ones escalated once.
    assert [k for k, c in cases.items() if c.sla_warned_at == AT] == [
        "unanswered",
        "answered",
        "unowned",
    ]
    assert [k for k, c in cases.items() if c.response_escalated_at == AT] == [
        "unanswered",
        "unowned",
    ]
    assert not any(c.resolution_escalated_at for c in cases.values())
    for kind in ("unanswered", "unowned"):
        assert (cases[kind].queue, cases[kind].owner, cases[kind].priority) == (
            second,
            boss,
            "high",
        )
    assert (cases["answered"].queue, cases["answered"].priority) == (first.queue, "normal")
    # The alerts: the agent's two, the manager's for the unowned case, in the site's zone.
    alerts = {a.customer_id: a for a in Alert.objects.all()}
    shown = {
        kind: (alerts[c.customer_id].user, alerts[c.customer_id].title, alerts[c.customer_id].body)
        for kind, c in cases.items()
        if c.customer_id in alerts
    }
    assert shown == {
        "unanswered": (
            first.owner,
            f"Case {desk['unanswered'].reference} is about to breach its SLA",
            "Its first response is due at 2026-11-23 10:00 (policy Nivel 1).",
        ),
        "answered": (
            first.owner,
            f"Case {desk['answered'].reference} is about to breach its SLA",
            "Its resolution is due at 2026-11-23 17:00 (policy Nivel 1).",
        ),
        "unowned": (
            boss,
            f"Case {desk['unowned'].reference} is about to breach its SLA",
            "Its first response is due at 2026-11-23 10:00 (policy Nivel 1).",
        ),
    }
    assert {a.priority for a in alerts.values()} == {Alert.Priority.HIGH}
    # The events: newest case first, each with its nearer target and its due time.
    by_name = {name: payload for name, payload in events}
    assert by_name["sla.cases_warned"] == {
        "policy_id": policy.pk,
        "warnings": [
            {
                "case_id": desk["unowned"].pk,
                "target": "first_response",
                "due": "2026-11-23T09:00:00+00:00",
            },
            {
                "case_id": desk["answered"].pk,
                "target": "resolution",
                "due": "2026-11-23T16:00:00+00:00",
            },
            {
                "case_id": desk["unanswered"].pk,
                "target": "first_response",
                "due": "2026-11-23T09:00:00+00:00",
            },
        ],
    }
    after = {
        "target": "first_response",
        "queue_id": second.pk,
        "owner_id": boss.pk,
        "priority": "high",
    }
    assert by_name["sla.cases_escalated"] == {
        "policy_id": policy.pk,
        "escalations": [
            {"case_id": desk["unowned"].pk, **after},
            {"case_id": desk["unanswered"].pk, **after},
        ],
    }
    raised = by_name["automation.alerts_raised"]
    assert raised["rule_id"] is None
    assert sorted(a["alert_id"] for a in raised["alerts"]) == sorted(a.pk for a in alerts.values())
    assert {(a["user_id"], a["team_id"], a["priority"]) for a in raised["alerts"]} == {
        (first.owner_id, None, 3),
        (boss.pk, None, 3),
    }
    # One outbox row for the three alerts (the rules expand it), none per alert.
    assert OutboxEvent.objects.filter(name="automation.alerts_raised").count() == 1
    assert not OutboxEvent.objects.filter(name="alert.raised").exists()


def test_the_sweeps_queries_do_not_grow_with_the_cases_it_warns_and_escalates(
    setup,  # noqa: F811
    smtp,
):
    first, *_rest = setup
    first.delete()
    _desk(first.queue, first.owner, n=1)
    with CaptureQueriesContext(connection) as few:
        assert sla_sweep(AT) == {"warned": 3, "escalated": 2}
    for n in range(2, 6):
        _desk(first.queue, first.owner, n=n)
    with CaptureQueriesContext(connection) as many:
        assert sla_sweep(AT + timedelta(minutes=1)) == {"warned": 12, "escalated": 8}
    assert Alert.objects.count() == 15
    assert len(many.captured_queries) == len(few.captured_queries)
