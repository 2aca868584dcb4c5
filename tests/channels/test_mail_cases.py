"""E-mail to case, against real servers: Dovecot delivers, aiosmtpd receives the
auto-reply; the customer's answer threads back into the case."""

from email import message_from_bytes, policy

import pytest

from panorama.channels.mail.imap import poll
from panorama.channels.models import Interaction, Mailbox, MailEntry
from panorama.service.models import Case, CaseMessage
from panorama.service.services.case import case_set_status
from tests.factories import CustomerFactory, IdentityFactory, QueueFactory

from .conftest import AGENT, make_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana():
    customer = CustomerFactory(first_name="Ana", last_name="García", language="en")
    IdentityFactory(customer=customer, kind="email", value="ana@example.com")
    return customer


@pytest.fixture
def case_mailbox(mailbox):
    queue = QueueFactory(name="Cards")
    Mailbox.objects.filter(pk=mailbox.pk).update(creates_cases=True, queue=queue)
    return Mailbox.objects.get(pk=mailbox.pk)


def _poll(mailbox, capture):
    with capture(execute=True):
        return poll(mailbox.pk)


def test_a_new_message_opens_a_case_and_the_customer_gets_an_auto_reply(
    imap, case_mailbox, ana, smtp, django_capture_on_commit_callbacks
):
    first = make_mail(message_id="<first@example.com>")
    imap.append(AGENT, first)
    _poll(case_mailbox, django_capture_on_commit_callbacks)
    case = Case.objects.get(customer=ana)
    assert case.channel == "email" and case.queue.name == "Cards"
    assert case.subject == "My card does not work"
    email = Interaction.objects.get(channel="email", subject="My card does not work")
    assert email.related == case
    assert len(smtp.messages) == 1
    rcpt, content = smtp.messages[0]
    reply = message_from_bytes(content, policy=policy.default)
    assert rcpt == ["ana@example.com"]
    assert case.reference in reply["Subject"]
    assert reply["In-Reply-To"] == "<first@example.com>"
    assert reply["Auto-Submitted"] == "auto-replied"
    assert case.reference in reply.get_content()

    # She answers the auto-reply: the message threads into the case, no new case.
    answer = make_mail(
        subject=f"Re: {reply['Subject']}",
        body="It still fails today.",
        headers={"In-Reply-To": reply["Message-ID"], "References": reply["Message-ID"]},
    )
    imap.append(AGENT, answer)
    _poll(case_mailbox, django_capture_on_commit_callbacks)
    assert Case.objects.filter(customer=ana).count() == 1
    message = CaseMessage.objects.get(case=case, kind="customer")
    assert message.body == "It still fails today."
    assert message.interaction.channel == "email"
    assert len(smtp.messages) == 1  # no auto-reply on a thread


def test_the_case_reference_in_the_subject_threads_a_fresh_message(
    imap, case_mailbox, ana, smtp, django_capture_on_commit_callbacks
):
    imap.append(AGENT, make_mail())
    _poll(case_mailbox, django_capture_on_commit_callbacks)
    case = Case.objects.get()
    imap.append(AGENT, make_mail(subject=f"About {case.reference} again", body="Any news?"))
    _poll(case_mailbox, django_capture_on_commit_callbacks)
    assert Case.objects.count() == 1
    assert case.messages.get(kind="customer").body == "Any news?"


def test_a_reply_to_a_resolved_case_reopens_it_and_to_a_closed_one_opens_a_follow_up(
    imap, case_mailbox, ana, smtp, django_capture_on_commit_callbacks
):
    imap.append(AGENT, make_mail())
    _poll(case_mailbox, django_capture_on_commit_callbacks)
    case = Case.objects.get()
    case_set_status(by=None, case_id=case.pk, status="resolved")
    imap.append(AGENT, make_mail(subject=f"Re: [{case.reference}]", body="Not solved."))
    _poll(case_mailbox, django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status == "reopened"
    case_set_status(by=None, case_id=case.pk, status="closed")
    imap.append(AGENT, make_mail(subject=f"Re: [{case.reference}]", body="Again!"))
    _poll(case_mailbox, django_capture_on_commit_callbacks)
    follow_up = Case.objects.exclude(pk=case.pk).get()
    assert case.reference in follow_up.description
    assert follow_up.status in Case.OPEN_STATUSES


def test_no_auto_reply_to_an_automatic_or_bulk_message(
    imap, case_mailbox, ana, smtp, django_capture_on_commit_callbacks
):
    imap.append(
        AGENT,
        make_mail(subject="Out of office", headers={"Auto-Submitted": "auto-replied"}),
        make_mail(subject="Newsletter", headers={"Precedence": "bulk"}),
    )
    result = _poll(case_mailbox, django_capture_on_commit_callbacks)
    assert result.statuses == {"skipped": 1, "imported": 1}
    assert MailEntry.objects.get(status="skipped").reason == "auto_submitted"
    assert Case.objects.count() == 1  # the bulk one is a case, without auto-reply
    assert smtp.messages == []


def test_our_own_auto_reply_coming_back_is_a_skipped_loop(
    imap, case_mailbox, ana, smtp, django_capture_on_commit_callbacks
):
    imap.append(AGENT, make_mail(sender=AGENT, subject="Loop"))
    result = _poll(case_mailbox, django_capture_on_commit_callbacks)
    assert result.statuses == {"skipped": 1}
    assert MailEntry.objects.get().reason == "own_address"


def test_the_auto_reply_speaks_the_customers_language_and_uses_the_mailbox_template(
    imap, case_mailbox, ana, smtp, django_capture_on_commit_callbacks
):
    ana.language = "es"
    ana.save(update_fields=["language"])
    imap.append(AGENT, make_mail(subject="Tarjeta"))
    _poll(case_mailbox, django_capture_on_commit_callbacks)
    reply = message_from_bytes(smtp.messages[0][1], policy=policy.default)
    assert "Hemos recibido su mensaje" in reply["Subject"]
    Mailbox.objects.filter(pk=case_mailbox.pk).update(
        auto_reply_subject="Caso abierto", auto_reply_body="Su caso es {{ case.reference }}."
    )
    imap.append(AGENT, make_mail(subject="Otra cosa"))
    _poll(Mailbox.objects.get(pk=case_mailbox.pk), django_capture_on_commit_callbacks)
    second = message_from_bytes(smtp.messages[1][1], policy=policy.default)
    case = Case.objects.get(subject="Otra cosa")
    assert second["Subject"] == f"[{case.reference}] Caso abierto"  # the reference is added
    assert second.get_content().strip() == f"Su caso es {case.reference}."


def test_the_customers_answer_to_a_case_waiting_on_him_opens_it_and_restarts_its_clock(
    imap, case_mailbox, ana, smtp, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from panorama.service.models import SlaPolicy
    from panorama.service.services import sla
    from panorama.service.services.business_hours import add_business_minutes
    from panorama.service.services.escalation import sla_sweep

    always = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    calendar = sla.calendar_save(by=None, name="24/7", hours=always)
    sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Cards",
            calendar=calendar,
            queue=case_mailbox.queue,
            first_response_minutes=60,
            resolution_minutes=7 * 24 * 60,
            warn_minutes=30,
        ),
    )
    imap.append(AGENT, make_mail(message_id="<first@example.com>"))
    _poll(case_mailbox, django_capture_on_commit_callbacks)
    case = Case.objects.get(customer=ana)
    assert case.sla_policy is not None
    case_set_status(by=None, case_id=case.pk, status="waiting")
    # It has waited on her for three days: its clock stood still meanwhile.
    Case.objects.filter(pk=case.pk).update(sla_paused_at=timezone.now() - timedelta(days=3))
    case.refresh_from_db()
    due_before = case.resolution_due
    assert sla_sweep(timezone.now() + timedelta(days=30)) == {"warned": 0, "escalated": 0}

    imap.append(AGENT, make_mail(subject=f"Re: [{case.reference}]", body="Here is my card number."))
    _poll(case_mailbox, django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status == "open"
    assert case.sla_paused_at is None
    # At least two of those days count (three, unless one was a public holiday).
    assert case.sla_paused_minutes >= 2 * 24 * 60
    hours = sla.hours_of(calendar)
    assert case.resolution_due == add_business_minutes(hours, due_before, case.sla_paused_minutes)
    assert [m.kind for m in case.messages.order_by("id")] == ["customer", "note"]
    assert case.messages.get(kind="customer").body == "Here is my card number."
    assert Interaction.objects.filter(
        customer=ana, subject=f"Case {case.reference}: Waiting on customer → Open"
    ).exists()
    # Running again: the sweep sees it (both targets escalated once overdue).
    assert sla_sweep(timezone.now() + timedelta(days=30))["escalated"] == 2
