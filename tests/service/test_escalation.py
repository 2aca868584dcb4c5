"""The SLA sweep: a warning before the breach, one escalation per breach (reassigned,
priority raised, the manager told by e-mail through a real SMTP server)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.service.models import Case, SlaPolicy
from panorama.service.services import sla, sla_clocks
from panorama.service.services.business_hours import add_business_minutes
from panorama.service.services.escalation import sla_sweep
from panorama.service.tasks import sla_sweep_task

from ..factories import CustomerFactory, QueueFactory, UserFactory

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")
MONDAY_9 = datetime(2026, 11, 23, 9, tzinfo=MADRID)  # in the past: the task uses now


@pytest.fixture
def setup():
    calendar = sla.calendar_save(by=None, name="Madrid", subdivision="MD")
    first, second = QueueFactory(name="Nivel 1"), QueueFactory(name="Nivel 2")
    boss = UserFactory(username="jefa", role=Role.SERVICE_AGENT)
    policy = sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Nivel 1",
            calendar=calendar,
            queue=first,
            first_response_minutes=60,
            resolution_minutes=480,
            warn_minutes=30,
            escalate_to_queue=second,
            escalate_to_user=boss,
            raise_priority=True,
            manager_email="jefa@example.com",
        ),
    )
    agent = UserFactory(username="eva", role=Role.SERVICE_AGENT)
    case = Case.objects.create(
        customer=CustomerFactory(),
        subject="Sin línea",
        channel="phone",
        queue=first,
        owner=agent,
        status="open",
        priority="normal",
        reference="C-000001",
    )
    sla.sla_start(case, MONDAY_9)
    case.save()
    return case, policy, second, boss


def test_a_case_is_warned_then_escalated_once(setup, smtp, emitted, client):
    case, policy, second, boss = setup
    assert case.first_response_due == MONDAY_9 + timedelta(hours=1)
    with emitted() as events:
        assert sla_sweep(MONDAY_9 + timedelta(minutes=20)) == {"warned": 0, "escalated": 0}
        assert sla_sweep(MONDAY_9 + timedelta(minutes=40)) == {"warned": 1, "escalated": 0}
        assert sla_sweep(MONDAY_9 + timedelta(minutes=45)) == {"warned": 0, "escalated": 0}
    # The agent's alert (tests/service/test_sla_warning_alerts.py), in a batch.
    [alerts] = [payload["alerts"] for name, payload in events if name == "automation.alerts_raised"]
    assert len(alerts) == 1
    events = [e for e in events if e[0] != "automation.alerts_raised"]
    assert events == [
        (
            "sla.cases_warned",
            {
                "policy_id": policy.pk,
                "warnings": [
                    {
                        "case_id": case.pk,
                        "target": "first_response",
                        "due": "2026-11-23T09:00:00+00:00",  # 10:00 in Madrid
                    }
                ],
            },
        )
    ]
    client.force_login(boss)
    queue_page = client.get(reverse("service:case_list")).content.decode()
    assert "At risk" in queue_page

    with emitted() as events:
        assert sla_sweep(MONDAY_9 + timedelta(minutes=61)) == {"warned": 0, "escalated": 1}
        assert sla_sweep(MONDAY_9 + timedelta(minutes=90)) == {"warned": 0, "escalated": 0}
    case.refresh_from_db()
    assert (case.queue, case.owner, case.priority) == (second, boss, "high")
    escalation = {
        "case_id": case.pk,
        "target": "first_response",
        "queue_id": second.pk,
        "owner_id": boss.pk,
        "priority": "high",
    }
    assert events == [
        ("sla.cases_escalated", {"policy_id": policy.pk, "escalations": [escalation]})
    ]
    [(to, content)] = smtp.messages
    body = content.decode()
    assert to == ["jefa@example.com"] and "C-000001" in body
    assert "Breached" in client.get(reverse("service:case_list")).content.decode()


def test_a_waiting_case_is_not_escalated_and_the_task_runs_the_sweep(setup, smtp):
    case, *_ = setup
    Case.objects.filter(pk=case.pk).update(status="waiting", sla_paused_at=MONDAY_9)
    assert sla_sweep(MONDAY_9 + timedelta(days=3)) == {"warned": 0, "escalated": 0}
    Case.objects.filter(pk=case.pk).update(status="open", sla_paused_at=None)
    result = sla_sweep_task.enqueue()
    assert result.return_value == {"warned": 0, "escalated": 2}
    assert len(smtp.messages) == 1
    assert not mail.outbox


def test_across_a_weekend_and_madrid_holidays_a_case_breaches_only_after_its_business_hours(
    smtp,
):
    """Frozen time (the sweep's ``now``): opened on Friday 4 December 2026 at 17:00 with
    two business hours to answer. Saturday, Sunday, Monday 7 (Constitution Day moved, a
    Madrid holiday: not in Catalonia) and Tuesday 8 (Immaculate, national) do not count,
    so the one hour left after Friday runs out on Wednesday at 10:00."""
    madrid = sla.calendar_save(by=None, name="Madrid", subdivision="MD")
    queue = QueueFactory(name="Madrid")
    sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Dos horas",
            calendar=madrid,
            queue=queue,
            first_response_minutes=120,
            resolution_minutes=960,
            warn_minutes=30,
            manager_email="jefa@example.com",
        ),
    )
    friday = datetime(2026, 12, 4, 17, tzinfo=MADRID)
    case = Case(
        customer=CustomerFactory(),
        subject="Sin calefacción",
        channel="phone",
        queue=queue,
        status="open",
        reference="C-000007",
    )
    sla.sla_start(case, friday)
    case.save()
    assert case.first_response_due == datetime(2026, 12, 9, 10, tzinfo=MADRID)

    # Wall-clock, two hours passed on Friday at 19:00, and days on the holidays: no breach.
    for now in (
        datetime(2026, 12, 4, 19, 1, tzinfo=MADRID),
        datetime(2026, 12, 5, 12, tzinfo=MADRID),  # Saturday
        datetime(2026, 12, 7, 12, tzinfo=MADRID),  # Monday, Madrid holiday
        datetime(2026, 12, 8, 17, tzinfo=MADRID),  # Tuesday, national holiday
        datetime(2026, 12, 9, 9, 15, tzinfo=MADRID),  # 15 business minutes used
    ):
        assert sla_sweep(now) == {"warned": 0, "escalated": 0}, now
    case.refresh_from_db()
    assert case.response_escalated_at is None and case.priority == "normal"
    assert (
        sla_clocks.sla_clocks(case, datetime(2026, 12, 8, 17, tzinfo=MADRID))[0].minutes_left == 60
    )

    assert sla_sweep(datetime(2026, 12, 9, 9, 40, tzinfo=MADRID)) == {"warned": 1, "escalated": 0}
    assert sla_sweep(datetime(2026, 12, 9, 9, 59, tzinfo=MADRID)) == {"warned": 0, "escalated": 0}
    assert sla_sweep(datetime(2026, 12, 9, 10, 1, tzinfo=MADRID)) == {"warned": 0, "escalated": 1}
    case.refresh_from_db()
    assert case.response_escalated_at == datetime(2026, 12, 9, 10, 1, tzinfo=MADRID)
    assert case.priority == "high"
    [(to, content)] = smtp.messages
    body = content.decode()
    assert to == ["jefa@example.com"] and "C-000007" in body

    # The same case in Barcelona: Monday 7 is a working day there, due on Monday 10:00.
    barcelona = sla.calendar_save(by=None, name="Barcelona", subdivision="CT")
    assert add_business_minutes(sla.hours_of(barcelona), friday, 120) == datetime(
        2026, 12, 7, 10, tzinfo=MADRID
    )


def test_a_case_breaching_both_targets_at_once_is_escalated_twice(setup, smtp, emitted):
    # One UPDATE writes both marks: the same as two escalations in a row (the priority
    # raised twice, two events with the case as it ends up, both targets in the e-mail).
    case, policy, second, boss = setup
    Case.objects.filter(pk=case.pk).update(priority="low")
    with emitted() as events:
        assert sla_sweep(MONDAY_9 + timedelta(days=3)) == {"warned": 0, "escalated": 2}
    case.refresh_from_db()
    assert (case.queue, case.owner, case.priority) == (second, boss, "high")
    after = {"queue_id": second.pk, "owner_id": boss.pk, "priority": "high"}
    assert events == [
        (
            "sla.cases_escalated",
            {
                "policy_id": policy.pk,
                "escalations": [
                    {"case_id": case.pk, "target": target, **after}
                    for target in ("first_response", "resolution")
                ],
            },
        )
    ]
    [(_to, content)] = smtp.messages
    body = content.decode()
    assert "first response overdue" in body and "resolution overdue" in body
    with emitted() as events:
        assert sla_sweep(MONDAY_9 + timedelta(days=4)) == {"warned": 0, "escalated": 0}
    assert events == []
