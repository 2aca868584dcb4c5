"""Campaign e-mails to a server that advertises PIPELINING (RFC 2920), as Postfix, Exim
and Exchange do, go out in two writes each (MAIL, RCPT and DATA together, then the
message) instead of four, the server's answers read as ``smtplib`` reads them: a refused
recipient is ledgered failed with the server's reason and the others are delivered; a
server without PIPELINING gets one command at a time. The client is the real one, its
writes counted on their way to the real server (aiosmtpd)."""

import smtplib

import pytest

from panorama.marketing.models import Recipient
from panorama.marketing.services import pipelining
from panorama.marketing.services.sending import campaign_send

from .conftest import person
from .test_sending_rows import _campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def writes(monkeypatch):
    """Each write of the SMTP client to the server, in order."""
    sent: list[bytes] = []
    send = smtplib.SMTP.send

    def counted(self, data):
        sent.append(data if isinstance(data, bytes) else data.encode())
        return send(self, data)

    monkeypatch.setattr(smtplib.SMTP, "send", counted)
    return sent


def _people(prefix, count):
    return [
        person(f"Cliente {prefix}{n}", email_address=f"{prefix}{n}@example.com")
        for n in range(count)
    ]


def test_a_pipelining_server_gets_each_message_in_two_writes(marketer, smtp, settings, writes):
    settings.PANORAMA_MAIL_CONNECTIONS = 1
    campaign = _campaign(marketer, "pipe", _people("pipe", 6))
    counts = campaign_send(campaign_id=campaign.pk, rate=0)
    assert counts == {"sent": 6, "skipped": 0, "failed": 0}
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == [
        f"pipe{n}@example.com" for n in range(6)
    ]
    envelopes = [w for w in writes if w.startswith(b"mail FROM:")]
    assert len(envelopes) == 6
    assert all(b"\r\nrcpt TO:<pipe" in w and w.endswith(b"\r\ndata\r\n") for w in envelopes)
    # Besides EHLO and QUIT: the envelope and the message, two writes per e-mail.
    assert len([w for w in writes if not w.startswith((b"ehlo", b"quit"))]) == 12


def test_a_refused_recipient_in_a_pipelined_batch_fails_with_the_servers_reason(
    marketer, smtp, settings
):
    settings.PANORAMA_MAIL_CONNECTIONS = 1
    settings.PANORAMA_CAMPAIGN_ATTEMPTS = 1
    smtp.refused_domain = "refused.example"
    people = _people("ok", 4)
    refused = person("Rita Rechazo", email_address="rita@refused.example")
    campaign = _campaign(marketer, "mixed", [*people[:2], refused, *people[2:]])
    counts = campaign_send(campaign_id=campaign.pk, rate=0)
    assert counts == {"sent": 4, "skipped": 0, "failed": 1}
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == [f"ok{n}@example.com" for n in range(4)]
    failed = Recipient.objects.get(campaign=campaign, customer=refused)
    assert failed.status == Recipient.Status.FAILED
    # The text smtplib's own sendmail gives for that answer.
    assert failed.error == (
        "SMTPRecipientsRefused: {'rita@refused.example': (550, b'5.1.1 No such user here')}"
    )
    sent = Recipient.objects.filter(campaign=campaign, status=Recipient.Status.SENT)
    assert sent.count() == 4


def test_a_server_without_pipelining_gets_one_command_at_a_time(marketer, smtp, settings, writes):
    settings.PANORAMA_MAIL_CONNECTIONS = 1
    smtp.pipelining = False
    campaign = _campaign(marketer, "plain", _people("plain", 3))
    assert campaign_send(campaign_id=campaign.pk, rate=0)["sent"] == 3
    assert len(smtp.messages) == 3
    assert len([w for w in writes if w.startswith(b"rcpt TO:")]) == 3
    assert len([w for w in writes if w == b"data\r\n"]) == 3


def test_the_answers_and_the_errors_are_smtplibs(smtp, settings):
    smtp.refused_domain = "refused.example"
    client = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT)
    data = b"Subject: hola\r\n\r\n.una linea que empieza por un punto\r\n"
    errors = []
    for send in (pipelining.sendmail, smtplib.SMTP.sendmail):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(client, "marta@example.com", ["nadie@refused.example"], data)
        errors.append(str(refused.value))
        smtp.refuse = 1  # the next message: 451
        with pytest.raises(smtplib.SMTPDataError) as later:
            send(client, "marta@example.com", ["ana@example.com"], data)
        errors.append(str(later.value))
        send(client, "marta@example.com", ["ana@example.com"], data)  # the connection goes on
    client.quit()
    assert errors[:2] == errors[2:]
    assert errors[0] == "{'nadie@refused.example': (550, b'5.1.1 No such user here')}"
    assert [m.content for m in smtp.messages] == [data, data]


def test_several_connections_send_each_envelope_with_the_previous_text(
    marketer, smtp, settings, writes
):
    settings.PANORAMA_MAIL_CONNECTIONS = 2
    settings.PANORAMA_CAMPAIGN_ATTEMPTS = 1
    smtp.delay = 0.05  # a busy server: the next messages are waiting when one is answered
    smtp.refused_domain = "refused.example"
    people = _people("flow", 8)
    refused = person("Rita Rechazo", email_address="rita@refused.example")
    campaign = _campaign(marketer, "flow", [*people[:4], refused, *people[4:]])
    counts = campaign_send(campaign_id=campaign.pk, rate=0)
    assert counts == {"sent": 8, "skipped": 0, "failed": 1}
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == [
        f"flow{n}@example.com" for n in range(8)
    ]
    assert {m.message["Message-ID"] for m in smtp.messages} == set(
        Recipient.objects.filter(campaign=campaign, status="sent").values_list(
            "message_id", flat=True
        )
    )
    failed = Recipient.objects.get(campaign=campaign, customer=refused)
    assert (failed.status, failed.attempts) == (Recipient.Status.FAILED, 1)
    assert failed.error == (
        "SMTPRecipientsRefused: {'rita@refused.example': (550, b'5.1.1 No such user here')}"
    )
    # A message's text and the next message's envelope travel in one write.
    assert any(b"\r\n.\r\nmail FROM:<" in w for w in writes)
    assert len([w for w in writes if not w.startswith((b"ehlo", b"quit"))]) < 2 * 9


def test_another_backend_gets_every_message_over_several_workers(
    marketer, smtp, settings, mailoutbox
):
    # The demo's in-memory backend: no SMTP, no stream; each message handed over once.
    settings.PANORAMA_MAIL_CONNECTIONS = 3
    campaign = _campaign(marketer, "mem", _people("mem", 5))
    counts = campaign_send(
        campaign_id=campaign.pk, rate=0, backend="django.core.mail.backends.locmem.EmailBackend"
    )
    assert counts == {"sent": 5, "skipped": 0, "failed": 0}
    assert sorted(m.to[0] for m in mailoutbox) == [f"mem{n}@example.com" for n in range(5)]
    assert not smtp.messages
