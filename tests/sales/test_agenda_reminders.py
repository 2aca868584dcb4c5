"""The agenda's reminders: the background task e-mails each due reminder once, through
a real SMTP server."""

import datetime
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.utils import timezone

from panorama.sales.models import Activity
from panorama.sales.services.activity import activity_plan, activity_update, reminders_send
from panorama.sales.tasks import reminders_task

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message["Subject"], message.get_content()))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """The same real SMTP server as the SLA escalation test's, on a free loopback port."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


def test_a_due_reminder_is_mailed_once_by_the_task(rep, smtp):
    now = timezone.now()
    soon = activity_plan(
        by=rep,
        kind="call",
        subject="Llamar a Talleres Pérez",
        starts_at=now + datetime.timedelta(minutes=10),
        reminder_minutes=15,
    )
    activity_plan(  # its reminder is not due yet
        by=rep,
        kind="visit",
        subject="Visita",
        starts_at=now + datetime.timedelta(hours=3),
        reminder_minutes=30,
    )
    activity_plan(  # no reminder asked
        by=rep, kind="task", subject="Sin aviso", starts_at=now + datetime.timedelta(minutes=5)
    )

    result = reminders_task.enqueue()

    assert result.return_value == 1
    [(to, subject, body)] = smtp.messages
    assert to == [rep.email]
    assert subject == "[Panorama] Reminder: Llamar a Talleres Pérez"
    assert "Call: Llamar a Talleres Pérez" in body
    assert Activity.objects.get(pk=soon.pk).reminder_sent_at is not None
    assert not mail.outbox  # it went through SMTP
    # Once: the next sweep sends nothing.
    assert reminders_task.enqueue().return_value == 0
    assert len(smtp.messages) == 1


def test_a_moved_item_is_reminded_again_and_a_done_one_never(rep, smtp):
    now = timezone.now()
    item = activity_plan(
        by=rep,
        kind="call",
        subject="Mover",
        starts_at=now + datetime.timedelta(minutes=5),
        reminder_minutes=10,
    )
    assert reminders_send() == 1
    activity_update(
        by=rep, activity_id=item.pk, changes={"starts_at": now + datetime.timedelta(minutes=8)}
    )
    assert reminders_send() == 1
    cancelled = activity_plan(
        by=rep,
        kind="call",
        subject="Cancelada",
        starts_at=now + datetime.timedelta(minutes=5),
        reminder_minutes=10,
    )
    Activity.objects.filter(pk=cancelled.pk).update(status="cancelled")
    assert reminders_send() == 0
    assert len(smtp.messages) == 2


def test_the_reminder_speaks_the_reps_language(rep, smtp):
    rep.language = "es"
    rep.save()
    activity_plan(
        by=rep,
        kind="call",
        subject="Renovación",
        starts_at=timezone.now() + datetime.timedelta(minutes=5),
        reminder_minutes=10,
    )
    reminders_send()
    [(_to, subject, body)] = smtp.messages
    assert subject == "[Panorama] Recordatorio: Renovación"
    assert "Llamada: Renovación" in body
