"""The agenda's reminders: the background task e-mails each due reminder once, through
a real SMTP server."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from panorama.sales.models import Activity
from panorama.sales.services.activity import activity_plan, activity_update, reminders_send
from panorama.sales.tasks import reminders_task

pytestmark = pytest.mark.django_db


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
    [sent] = smtp.messages
    subject, body = sent.message["Subject"], sent.message.get_content()
    assert sent.rcpt_tos == [rep.email]
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
    [sent] = smtp.messages
    subject, body = sent.message["Subject"], sent.message.get_content()
    assert subject == "[Panorama] Recordatorio: Renovación"
    assert "Llamada: Renovación" in body
