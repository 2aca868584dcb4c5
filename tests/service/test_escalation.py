"""The SLA sweep: a warning before the breach, one escalation per breach (reassigned,
priority raised, the manager told by e-mail through a real SMTP server)."""

import socket
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.service.models import Case, SlaPolicy
from panorama.service.services import sla
from panorama.service.services.escalation import sla_sweep
from panorama.service.tasks import sla_sweep_task

from ..factories import CustomerFactory, QueueFactory, UserFactory

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")
MONDAY_9 = datetime(2026, 11, 23, 9, tzinfo=MADRID)  # in the past: the task uses now


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks its own with a connect)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


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
    assert [n for n, _p in events] == ["case.sla_warned"]
    client.force_login(boss)
    queue_page = client.get(reverse("service:case_list")).content.decode()
    assert "At risk" in queue_page

    with emitted() as events:
        assert sla_sweep(MONDAY_9 + timedelta(minutes=61)) == {"warned": 0, "escalated": 1}
        assert sla_sweep(MONDAY_9 + timedelta(minutes=90)) == {"warned": 0, "escalated": 0}
    case.refresh_from_db()
    assert (case.queue, case.owner, case.priority) == (second, boss, "high")
    assert events == [
        (
            "case.escalated",
            {
                "case_id": case.pk,
                "target": "first_response",
                "policy_id": policy.pk,
                "queue_id": second.pk,
                "owner_id": boss.pk,
                "priority": "high",
            },
        )
    ]
    [(to, body)] = smtp.messages
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
