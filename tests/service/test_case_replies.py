"""An agent's reply goes out on the customer's channel, against real servers: the reply
leaves through aiosmtpd threaded on the customer's e-mail, his answer is delivered to
Dovecot, polled, and threads back into the same case. Notes are never sent; a failure
is kept on the message and shown."""

from email import message_from_bytes, policy

import pytest

from panorama.accounts.models import Role
from panorama.channels.mail.imap import poll
from panorama.channels.models import Interaction, Mailbox
from panorama.channels.outbound.models import SendingIdentity, SentMail
from panorama.service.models import Case, CaseMessage
from panorama.service.services.case import case_message_add, case_open
from tests.channels.conftest import AGENT, make_mail
from tests.smtp import free_port, mail_through

from ..factories import CustomerFactory, IdentityFactory, QueueFactory, UserFactory

# Committed for real: the reply goes out after the commit, as in production, so the
# page and the API answer with how it went.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(mailbox):
    queue = QueueFactory(name="Tarjetas")
    Mailbox.objects.filter(pk=mailbox.pk).update(creates_cases=True, queue=queue, auto_reply=False)
    SendingIdentity.objects.create(name="Personal", from_address="eva@bank.example")
    SendingIdentity.objects.create(
        name="Soporte", from_address=AGENT, display_name="Soporte del banco"
    )
    ana = CustomerFactory(first_name="Ana", last_name="García", language="es")
    IdentityFactory(customer=ana, kind="email", value="ana@example.com")
    agent = UserFactory(username="eva", first_name="Eva", role=Role.SERVICE_AGENT)
    return Mailbox.objects.get(pk=mailbox.pk), ana, agent


def _poll(mailbox, capture):
    with capture(execute=True):
        return poll(mailbox.pk)


def test_a_reply_goes_out_by_email_and_the_answer_threads_back_into_the_case(
    imap, desk, smtp, client, django_capture_on_commit_callbacks
):
    mailbox, ana, agent = desk
    imap.append(AGENT, make_mail(message_id="<first@example.com>"))
    _poll(mailbox, django_capture_on_commit_callbacks)
    case = Case.objects.get(customer=ana)
    assert case.channel == "email" and not smtp.messages  # no auto-reply on this mailbox

    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/service/cases/{case.pk}/messages/",
            {"kind": "reply", "body": "We unblocked your card: try again."},
        )
    assert response.status_code == 302
    [(rcpt, content)] = smtp.messages
    sent = message_from_bytes(content, policy=policy.default)
    assert rcpt == ["ana@example.com"]
    assert sent["From"] == f"Soporte del banco <{AGENT}>"  # the case mailbox's identity
    assert sent["Subject"] == f"Re: [{case.reference}] My card does not work"
    assert sent["In-Reply-To"] == "<first@example.com>"
    assert "<first@example.com>" in sent["References"]
    assert "We unblocked your card" in sent.get_content()
    reply = CaseMessage.objects.get(case=case, kind="reply")
    assert reply.delivery == "sent" and reply.sent_mail.message_id == sent["Message-ID"]
    assert reply.interaction.channel == "email" and reply.interaction.related == case
    assert SentMail.objects.get().status == "sent"
    case.refresh_from_db()
    assert case.first_response_at is not None
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert "E-mailed to ana@example.com" in page
    spanish = client.get(f"/service/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    assert "Enviado por e-mail a ana@example.com" in spanish.content.decode()

    # Her answer quotes neither the reference nor the subject: the Message-ID threads it.
    imap.append(
        AGENT,
        make_mail(
            subject="Sigue sin ir",
            body="It still fails at the shop.",
            headers={
                "In-Reply-To": sent["Message-ID"],
                "References": f"{sent['References']} {sent['Message-ID']}",
            },
        ),
    )
    _poll(mailbox, django_capture_on_commit_callbacks)
    assert Case.objects.filter(customer=ana).count() == 1
    answer = CaseMessage.objects.get(case=case, kind="customer")
    assert answer.body == "It still fails at the shop."

    # A second reply threads on her answer, the latest message.
    with django_capture_on_commit_callbacks(execute=True):
        case_message_add(by=agent, case_id=case.pk, body="Let us call you.")
    second = message_from_bytes(smtp.messages[-1][1], policy=policy.default)
    assert second["In-Reply-To"] != "<first@example.com>"
    assert sent["Message-ID"] in second["References"]
    assert case.reference in second["Subject"]


def test_an_internal_note_is_never_sent(desk, smtp, django_capture_on_commit_callbacks):
    _mailbox, ana, agent = desk
    case = case_open(by=agent, customer_id=ana.pk, subject="Cambio de domicilio")
    with django_capture_on_commit_callbacks(execute=True):
        note = case_message_add(by=agent, case_id=case.pk, body="Llamar mañana", kind="note")
    note.refresh_from_db()
    assert note.delivery == "" and not smtp.messages and note.interaction is None


def test_a_phone_case_of_a_customer_with_an_email_is_answered_by_email(
    desk, smtp, api_as, django_capture_on_commit_callbacks
):
    _mailbox, ana, agent = desk
    case = case_open(by=agent, customer_id=ana.pk, subject="Cambio de domicilio")
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_as(agent).post(f"/cases/{case.pk}/messages", json={"body": "Hecho."})
    assert answer.status_code == 201 and answer.json()["delivery"] == "sent"
    [(rcpt, content)] = smtp.messages
    sent = message_from_bytes(content, policy=policy.default)
    assert rcpt == ["ana@example.com"] and "In-Reply-To" not in sent
    assert sent["Subject"] == f"Re: [{case.reference}] Cambio de domicilio"
    # One timeline entry for the reply: the e-mail.
    assert Interaction.objects.filter(customer=ana, direction="outbound").count() == 1


def test_without_an_address_the_reply_is_only_recorded(desk, smtp):
    _mailbox, _ana, agent = desk
    bob = CustomerFactory()
    case = case_open(by=agent, customer_id=bob.pk, subject="Tarjeta")
    reply = case_message_add(by=agent, case_id=case.pk, body="Se lo dije por teléfono.")
    assert reply.delivery == "" and reply.interaction.channel == "phone" and not smtp.messages


def test_a_refused_reply_is_kept_as_failed_and_shown(
    desk, settings, client, django_capture_on_commit_callbacks
):
    _mailbox, ana, agent = desk
    mail_through(settings, free_port())  # nobody listens on it
    case = case_open(by=agent, customer_id=ana.pk, subject="Tarjeta")
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/service/cases/{case.pk}/messages/",
            {"kind": "reply", "body": "Ya está."},
            follow=True,
        )
    reply = CaseMessage.objects.get(case=case, kind="reply")
    assert reply.delivery == "failed" and "ConnectionRefusedError" in reply.delivery_error
    page = response.content.decode()
    assert "was not sent" in page and 'data-delivery="failed"' in page
    # One timeline entry: the refused e-mail, failed, about the case.
    entry = reply.interaction
    assert (entry.failed, entry.outcome, entry.related) == (True, "Not sent", case)
    assert (
        entry.metadata["kind"] == "case_message" and "ConnectionRefused" in entry.metadata["error"]
    )
    assert Interaction.objects.filter(customer=ana, direction="outbound").count() == 1
    assert SentMail.objects.get().status == "failed"


def test_a_failed_reply_retried_goes_out_through_the_case(
    desk, settings, api_as, django_capture_on_commit_callbacks
):
    _mailbox, ana, agent = desk
    port = free_port()
    mail_through(settings, port)  # nobody listens on it yet
    case = case_open(by=agent, customer_id=ana.pk, subject="Tarjeta")
    with django_capture_on_commit_callbacks(execute=True):
        reply = case_message_add(by=agent, case_id=case.pk, body="Ya está.")
    reply.refresh_from_db()
    failed = reply.interaction
    assert reply.delivery == "failed" and failed.failed

    from aiosmtpd.controller import Controller

    from tests.smtp import Inbox

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        answer = api_as(agent).post(f"/channels/failed-messages/{failed.pk}/retry")
    finally:
        controller.stop()

    assert answer.status_code == 200, answer.content
    reply.refresh_from_db()
    assert reply.delivery == "sent" and reply.interaction_id == answer.json()["id"]
    [(rcpt, _content)] = inbox.messages
    assert rcpt == ["ana@example.com"]
