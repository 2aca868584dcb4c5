"""E-mail out, against a real SMTP server on loopback (aiosmtpd): sending identities
and who may use them, templates, replies that thread with the customer's mail both
ways, a refusal kept and said, and a delivery report read back through the inbound
mail path marking the message bounced."""

from email.utils import make_msgid

import pytest

from panorama.accounts.models import Role
from panorama.channels.mail.importer import mail_import
from panorama.channels.models import Interaction, MailEntry, MailTemplate, SendingIdentity
from panorama.channels.outbound.models import SentMail
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

from .conftest import make_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana():
    customer = CustomerFactory(first_name="Ana", last_name="García", display_name="Ana García")
    IdentityFactory(customer=customer, kind="email", value="ana@example.com", is_primary=True)
    return customer


@pytest.fixture
def support():
    return SendingIdentity.objects.create(
        name="Support",
        from_address="support@bank.example",
        display_name="Banco Panorama",
        signature="Banco Panorama · 900 100 200",
    )


def test_an_email_to_the_customer_arrives_signed_and_lands_on_his_timeline(
    api, smtp, ana, support, emitted
):
    with emitted() as events:
        r = api.post(
            f"/customers/{ana.pk}/emails",
            json={"identity_id": support.pk, "subject": "Su tarjeta", "body": "Ya está lista."},
        )

    assert r.status_code == 201, r.content
    [message] = smtp.emails
    assert message["To"] == "ana@example.com"
    assert message["From"] == "Banco Panorama <support@bank.example>"
    assert message["Message-ID"] == r.json()["message_id"]
    assert "Ya está lista." in message.get_content()
    assert "Banco Panorama · 900 100 200" in message.get_content()
    entry = Interaction.objects.get(customer=ana)
    assert (entry.channel, entry.direction, entry.subject) == ("email", "outbound", "Su tarjeta")
    assert entry.metadata["message_id"] == message["Message-ID"]
    assert ("mail.sent", "sent") in [(n, p.get("status")) for n, p in events]


def test_a_spanish_template_fills_the_message(api, smtp, ana, support):
    template = MailTemplate.objects.create(
        name="Bienvenida",
        language="es",
        subject="Bienvenida, {{ customer.display_name }}",
        body="Hola {{ customer.display_name }}, gracias por confiar en nosotros.",
    )
    r = api.post(
        f"/customers/{ana.pk}/emails",
        json={"identity_id": support.pk, "template_id": template.pk},
    )
    assert r.status_code == 201, r.content
    assert smtp.emails[0]["Subject"] == "Bienvenida, Ana García"
    assert "Hola Ana García, gracias" in smtp.emails[0].get_content()


def test_a_reply_threads_with_the_customers_mail_both_ways(api, smtp, ana, support):
    inbound = mail_import(raw=make_mail(subject="Mi tarjeta", message_id="<q1@example.com>"))
    assert inbound.status == "imported"

    r = api.post(
        f"/customers/{ana.pk}/emails",
        json={
            "identity_id": support.pk,
            "body": "La revisamos hoy.",
            "reply_to": inbound.interaction_id,
        },
    )

    assert r.status_code == 201, r.content
    [reply] = smtp.emails
    assert reply["Subject"] == "Re: Mi tarjeta"
    assert reply["In-Reply-To"] == "<q1@example.com>"
    assert "<q1@example.com>" in reply["References"]
    ours = Interaction.objects.get(pk=r.json()["interaction_id"])
    assert ours.metadata["thread_parent"] == inbound.interaction_id
    # Her answer to our reply threads under it.
    answer = mail_import(
        raw=make_mail(subject="Re: Mi tarjeta", headers={"In-Reply-To": reply["Message-ID"]})
    )
    assert answer.interaction.metadata["thread_parent"] == ours.pk


def test_a_refused_recipient_is_said_and_kept_as_failed(api, smtp, ana, support):
    smtp.refused_domain = "refused.example"
    r = api.post(
        f"/customers/{ana.pk}/emails",
        json={
            "identity_id": support.pk,
            "to_address": "nadie@refused.example",
            "subject": "Hola",
            "body": "…",
        },
    )
    assert r.status_code == 422
    assert "550" in r.json()["detail"]
    sent = SentMail.objects.get()
    assert sent.status == "failed" and "No such user" in sent.error
    # On his timeline as failed (tests/channels/test_failures.py), not as sent.
    entry = Interaction.objects.get(customer=ana)
    assert entry.failed and sent.interaction == entry


def _dsn(original_id: str, recipient: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.bank.example>\r\n"
        "To: support@bank.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {make_msgid(domain='mx.bank.example')}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.bank.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: support@bank.example\r\nTo: {recipient}\r\nMessage-ID: {original_id}\r\n"
        "Subject: Su tarjeta\r\n"
        "--B--\r\n"
    ).encode()


def test_a_delivery_report_through_the_inbound_path_marks_the_message_bounced(
    api, smtp, ana, support, emitted
):
    sent = api.post(
        f"/customers/{ana.pk}/emails",
        json={"identity_id": support.pk, "subject": "Su tarjeta", "body": "Lista."},
    ).json()

    with emitted() as events:
        entry = mail_import(raw=_dsn(sent["message_id"], "ana@example.com"))

    assert (entry.status, entry.reason) == (MailEntry.Status.SKIPPED, MailEntry.Reason.BOUNCE)
    assert "bounced" in entry.detail
    mail = SentMail.objects.get(pk=sent["id"])
    assert mail.status == "bounced" and "5.1.1" in mail.error
    timeline = Interaction.objects.get(pk=sent["interaction_id"])
    assert timeline.outcome == "Bounced"
    assert [n for n, _p in events if n == "mail.bounced"] == ["mail.bounced"]
    listed = api.get(f"/customers/{ana.pk}/emails").json()
    assert listed[0]["status"] == "bounced"


def test_a_report_about_a_message_we_never_sent_stays_an_automatic_message(ana):
    entry = mail_import(raw=_dsn("<not-ours@elsewhere.example>", "ana@example.com"))
    assert (entry.status, entry.reason) == ("skipped", "auto_submitted")


def test_who_may_send_from_which_identity(api_as, smtp, ana, support, team):
    agent = UserFactory(username="agent", role=Role.SERVICE_AGENT)
    other = UserFactory(username="other", role=Role.SERVICE_AGENT)
    personal = SendingIdentity.objects.create(
        name="Other's", from_address="other@bank.example", owner=other
    )
    restricted = SendingIdentity.objects.create(name="Legal", from_address="legal@bank.example")
    restricted.users.set([other])
    as_agent = api_as(agent)

    listed = {i["name"] for i in as_agent.get("/channels/sending-identities").json()}
    assert listed == {"Support"}
    for identity in (personal, restricted):
        r = as_agent.post(
            f"/customers/{ana.pk}/emails",
            json={"identity_id": identity.pk, "subject": "x", "body": "y"},
        )
        assert r.status_code == 403
        assert "may not send from" in r.json()["detail"]
    assert smtp.messages == []


def test_a_rep_cannot_mail_a_customer_he_does_not_see(api_as, smtp, support, rep):
    stranger = CustomerFactory(owner=UserFactory(role=Role.SALES_REP))
    IdentityFactory(customer=stranger, kind="email", value="s@example.com")
    r = api_as(rep).post(
        f"/customers/{stranger.pk}/emails",
        json={"identity_id": support.pk, "subject": "x", "body": "y"},
    )
    assert r.status_code == 404
    assert smtp.messages == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"subject": "", "body": "y"}, "subject"),
        ({"subject": "x", "body": "  "}, "body"),
        ({"subject": "a\r\nBcc: x@evil.example", "body": "y"}, "subject"),
        ({"subject": "x", "body": "y", "to_address": "not an address"}, "to_address"),
        ({"subject": "x", "body": "y", "template_id": 999999}, None),
        ({"subject": "x", "body": "y", "reply_to": 999999}, "reply_to"),
    ],
)
def test_bad_input_is_refused_with_a_message(api, smtp, ana, support, payload, field):
    r = api.post(f"/customers/{ana.pk}/emails", json={"identity_id": support.pk, **payload})
    assert 400 <= r.status_code < 500
    assert r.json()["detail"]
    if field:
        assert field in r.json().get("errors", {}) or r.status_code == 404
    assert smtp.messages == []


def test_only_administrators_configure_identities(api, api_as, rep):
    body = {"name": "Ventas", "from_address": "ventas@bank.example", "display_name": "Ventas"}
    assert api_as(rep).post("/channels/sending-identities", json=body).status_code == 403
    created = api.post("/channels/sending-identities", json=body)
    assert created.status_code == 201 and created.json()["shared"]
    again = api.post("/channels/sending-identities", json=body)
    assert again.status_code == 409
