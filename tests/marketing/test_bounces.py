"""Bounces of campaign e-mails: the message sent through a real SMTP server (aiosmtpd)
carries a Message-ID of ours; a real delivery report (RFC 3464) quoting it, fed through
the channels' inbound mail path, marks the ledger row bounced and suppresses the
address, which later campaigns skip with the reason."""

from email.utils import make_msgid

import pytest
from django.urls import reverse

from panorama.channels.mail.importer import mail_import
from panorama.channels.models import Interaction, MailEntry
from panorama.marketing import selectors
from panorama.marketing.models import Recipient, Suppression
from panorama.marketing.services.campaigns import campaign_save
from panorama.marketing.services.segments import segment_save
from panorama.marketing.services.templates import template_save

# Ana, Luis and Carlos get the e-mail (Eva and Félix do not consent).
RULES = {
    "op": "and",
    "rules": [
        {"field": "holding", "op": "has", "value": "ACC-NOM"},
        {"field": "holding", "op": "has_not", "value": "CARD-CR"},
    ],
}

pytestmark = pytest.mark.django_db


def _dsn(original_id: str, recipient: str, *, status: str = "5.1.1") -> bytes:
    action = "failed" if status.startswith("5") else "delayed"
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.bank.example>\r\n"
        "To: marketing@bank.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {make_msgid(domain='mx.bank.example')}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.bank.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; {'550' if action == 'failed' else '452'} {status} "
        f"{'user unknown' if action == 'failed' else 'mailbox full'}\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: marketing@bank.example\r\nTo: {recipient}\r\nMessage-ID: {original_id}\r\n"
        "Subject: Tu tarjeta\r\n"
        "--B--\r\n"
    ).encode()


@pytest.fixture
def new_campaign(world, marketer):
    segment = segment_save(by=marketer, name="Cuenta sin tarjeta", rules=RULES)
    template = template_save(
        by=marketer, name="Tarjeta", subject_es="Tu tarjeta", body_es="Hola {{ first_name }}."
    )

    def make(name: str):
        return campaign_save(
            by=marketer,
            changes={
                "name": name,
                "segment": segment.pk,
                "template": template.pk,
                "control_percent": 0,
            },
        )

    return make


def _sent_id(smtp, address: str) -> str:
    return str(smtp.to(address)[-1]["Message-ID"]).strip()


def test_a_hard_bounce_marks_the_row_suppresses_the_address_and_later_campaigns_skip_it(
    new_campaign, marketer, smtp, launch, emitted, client
):
    first = new_campaign("Primera")
    launch(by=marketer, campaign=first)
    message_id = _sent_id(smtp, "ana@example.com")
    ana_row = Recipient.objects.get(campaign=first, email="ana@example.com")
    assert ana_row.message_id == message_id  # the ledger knows the id the server got

    with emitted() as events:
        entry = mail_import(raw=_dsn(message_id, "ana@example.com"))

    assert (entry.status, entry.reason) == (MailEntry.Status.SKIPPED, MailEntry.Reason.BOUNCE)
    assert entry.customer_id == ana_row.customer_id and "Primera" in entry.detail
    ana_row.refresh_from_db()
    assert ana_row.status == Recipient.Status.BOUNCED and "5.1.1" in ana_row.error
    suppression = Suppression.objects.get(email="ana@example.com")
    assert suppression.reason == Suppression.Reason.HARD_BOUNCE
    bounced = [p for n, p in events if n == "campaign.bounced"]
    assert len(bounced) == 1 and bounced[0]["hard"] and bounced[0]["suppressed"]
    timeline = Interaction.objects.get(customer_id=ana_row.customer_id, direction="outbound")
    assert timeline.outcome == "Bounced"
    # The report: two handed over, one bounced, one delivered.
    results = selectors.campaign_results(campaign=first)
    assert (results.sent, results.bounced, results.delivered) == (3, 1, 2)
    client.force_login(marketer)
    page = client.get(reverse("marketing:campaign_detail", args=[first.pk])).content.decode()
    assert 'data-result="bounced">1' in page

    # The same report again changes nothing.
    mail_import(raw=_dsn(message_id, "ana@example.com"))
    assert Suppression.objects.count() == 1

    second = new_campaign("Segunda")
    smtp.messages.clear()
    launch(by=marketer, campaign=second)
    assert sorted(m["To"] for m in smtp.emails) == ["carlos@example.com", "luis@example.com"]
    skipped = Recipient.objects.get(campaign=second, customer_id=ana_row.customer_id)
    assert (skipped.status, skipped.reason) == ("skipped", "suppressed")
    assert skipped.get_reason_display() == "Address suppressed after a hard bounce"


def test_soft_bounces_are_counted_and_suppress_after_the_limit(
    new_campaign, marketer, smtp, launch, emitted, settings
):
    settings.PANORAMA_SOFT_BOUNCE_LIMIT = 2
    for n, name in enumerate(["Uno", "Dos"], start=1):
        campaign = new_campaign(name)
        launch(by=marketer, campaign=campaign)
        with emitted() as events:
            mail_import(
                raw=_dsn(_sent_id(smtp, "luis@example.com"), "luis@example.com", status="4.2.2")
            )
        row = Recipient.objects.get(campaign=campaign, email="luis@example.com")
        assert row.status == Recipient.Status.SENT and row.soft_bounced_at is not None
        assert [p["hard"] for name_, p in events if name_ == "campaign.bounced"] == [False]
        assert Suppression.objects.filter(email="luis@example.com").exists() == (n == 2)
        assert selectors.campaign_results(campaign=campaign).soft_bounced == 1
    assert Suppression.objects.get().reason == Suppression.Reason.SOFT_BOUNCES


def test_a_report_about_nothing_we_sent_is_left_alone(world, marketer):
    entry = mail_import(raw=_dsn("<nobody@elsewhere.example>", "ana@example.com"))
    assert entry.reason == "auto_submitted"
    assert not Suppression.objects.exists()


def _arf(original_id: str, recipient: str, *, feedback_type: str = "abuse") -> bytes:
    """A feedback-loop report as mailbox providers send them (RFC 5965)."""
    return (
        "From: Feedback Loop <fbl@isp.example>\r\n"
        "To: abuse@bank.example\r\n"
        "Subject: Abuse report\r\n"
        f"Message-ID: {make_msgid(domain='isp.example')}\r\n"
        "Date: Mon, 30 Nov 2026 08:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=feedback-report;\r\n"
        '    boundary="ARF"\r\n\r\n'
        "--ARF\r\nContent-Type: text/plain\r\n\r\n"
        "This is an e-mail abuse report for a message received from 192.0.2.1.\r\n"
        "--ARF\r\nContent-Type: message/feedback-report\r\n\r\n"
        f"Feedback-Type: {feedback_type}\r\nUser-Agent: ISP-FBL/1.0\r\nVersion: 1\r\n"
        "Original-Mail-From: <marketing@bank.example>\r\n"
        f"Original-Rcpt-To: <{recipient}>\r\n"
        "Arrival-Date: Mon, 30 Nov 2026 07:00:00 +0000\r\n"
        "Source-IP: 192.0.2.1\r\n\r\n"
        "--ARF\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n"
        f"From: marketing@bank.example\r\nTo: {recipient}\r\nMessage-ID: {original_id}\r\n"
        "Subject: Tu tarjeta\r\n\r\nHola.\r\n"
        "--ARF--\r\n"
    ).encode()


def test_a_spam_complaint_suppresses_the_address_and_withdraws_the_consent(
    new_campaign, marketer, smtp, launch, emitted, client
):
    from panorama.channels.outbound.bounces import report_read
    from panorama.customers.models import Consent

    first = new_campaign("Primera")
    launch(by=marketer, campaign=first)
    message_id = _sent_id(smtp, "luis@example.com")
    raw = _arf(message_id, "luis@example.com")
    report = report_read(raw)
    assert report.complaint and report.feedback_type == "abuse"
    assert report.recipient == "luis@example.com" and report.message_ids == [message_id]

    with emitted() as events:
        entry = mail_import(raw=raw)

    row = Recipient.objects.get(campaign=first, email="luis@example.com")
    assert (entry.status, entry.reason) == (MailEntry.Status.SKIPPED, MailEntry.Reason.BOUNCE)
    assert entry.customer_id == row.customer_id and "spam" in entry.detail
    assert row.status == Recipient.Status.COMPLAINED and row.complained_at is not None
    assert Suppression.objects.get(email="luis@example.com").reason == "complaint"
    newest = Consent.objects.filter(
        customer_id=row.customer_id, purpose="marketing", channel="email"
    ).first()  # newest first
    assert newest.granted is False and "Spam complaint" in newest.source
    complaint, sent = Interaction.objects.filter(
        customer_id=row.customer_id, related_id=row.pk
    ).order_by("direction")  # inbound, outbound
    assert (sent.direction, sent.outcome) == ("outbound", "Marked as spam")
    assert complaint.direction == "inbound" and "as spam" in complaint.subject
    complained = [p for n, p in events if n == "campaign.complained"]
    assert len(complained) == 1 and complained[0]["feedback_type"] == "abuse"
    assert "consent.withdrawn" in [n for n, _p in events]
    results = selectors.campaign_results(campaign=first)
    assert (results.sent, results.complained, results.bounced) == (3, 1, 0)
    client.force_login(marketer)
    page = client.get(reverse("marketing:campaign_detail", args=[first.pk])).content.decode()
    assert 'data-result="complained">1' in page

    # The same report again changes nothing; the next campaign leaves him out.
    mail_import(raw=raw)
    assert Consent.objects.filter(customer_id=row.customer_id, granted=False).count() == 1
    second = new_campaign("Segunda")
    smtp.messages.clear()
    launch(by=marketer, campaign=second)
    assert "luis@example.com" not in [m["To"] for m in smtp.emails]
    assert Recipient.objects.get(campaign=second, customer_id=row.customer_id).reason == (
        "no_consent"
    )


def test_a_complaint_about_a_message_from_the_ficha_is_no_bounce(world):
    from panorama.channels.outbound.bounces import bounce_record

    assert bounce_record(_arf("<x@bank.example>", "ana@example.com")) is None
