"""Rules on the channels' events: an inbound fax or e-mail raises an alert through the
real inbound path and the outbox; the events are choosable on the rule page with their
fields; a busy channel event is written to the outbox only while a rule listens to it."""

import pytest
from django.urls import reverse

from panorama.automation.models import Alert, RuleRun
from panorama.automation.services.rules import rule_save
from panorama.channels.mail.importer import mail_import
from panorama.core.models import OutboxDelivery
from tests.channels.conftest import make_mail
from tests.channels.test_fax import pdf
from tests.channels.test_messaging import account, post_webhook, provider  # noqa: F401

from ..factories import IdentityFactory

pytestmark = pytest.mark.django_db

FAX_RULE = {
    "name": "Fax in",
    "trigger": "event",
    "event": "fax.received",
    "conditions": {"all": [{"field": "event.customer_id", "op": "exists"}]},
    "actions": [{"type": "alert", "to": "owner", "title": "Fax from {customer}", "priority": 3}],
}


@pytest.fixture
def fax_mailbox(settings):
    settings.PANORAMA_FAX_INBOUND_ADDRESSES = ["fax@bank.example"]


def fax_mail(number="+34911222333") -> bytes:
    raw = make_mail(
        sender=f"{number}@faxgateway.example",
        subject=f"Fax from {number}",
        body="Fax received: 2 pages",
        attachments=[("fax.pdf", pdf(), "application/pdf")],
    )
    return raw.replace(b"To: support@bank.example", b"To: fax@bank.example")


def rule_deliveries() -> list[str]:
    return sorted(
        OutboxDelivery.objects.filter(subscriber="automation.rules").values_list(
            "event__name", flat=True
        )
    )


def test_the_rule_page_offers_the_channel_events_and_their_fields(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("automation:rule_new")).content.decode()
    for name in (
        "fax.received",
        "mail.received",
        "mail.bounced",
        "message.received",
        "message.status_changed",
        "interaction.recorded",
    ):
        assert f'<option value="{name}"' in page, name
    answer = client.post(
        reverse("automation:rule_new"),
        {
            "name": "Fax in",
            "active": "on",
            "trigger": "event",
            "event": "fax.received",
            "match": "all",
            "c0_field": "event.customer_id",
            "c0_op": "exists",
            "alert_on": "on",
            "alert_to": "owner",
            "alert_title": "Fax from {customer}",
            "alert_priority": "3",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    page = client.get(answer.url).content.decode()
    assert '<option value="event.fax_id">' in page
    assert '<option value="event.customer_id">' in page


def test_an_inbound_fax_alerts_the_customers_owner(
    admin_user, customer, rep, fax_mailbox, dispatch, client
):
    IdentityFactory(customer=customer, kind="phone", value="+34911222333")
    rule = rule_save(by=admin_user, data=FAX_RULE)

    mail_import(raw=fax_mail())
    dispatch()

    alert = Alert.objects.get()
    assert (alert.user, alert.customer, alert.title, alert.rule) == (
        rep,
        customer,
        "Fax from Lucía Vega",
        rule,
    )
    run = RuleRun.objects.get(rule=rule)
    assert run.matched and run.event == "fax.received" and run.customer == customer
    client.force_login(rep)
    assert "Fax from Lucía Vega" in client.get(reverse("automation:home")).content.decode()


def test_a_fax_from_an_unknown_number_is_checked_and_not_matched(
    admin_user, customer, fax_mailbox, dispatch
):
    rule = rule_save(by=admin_user, data=FAX_RULE)
    mail_import(raw=fax_mail(number="+34933444555"))
    dispatch()
    assert not Alert.objects.exists()
    assert not RuleRun.objects.filter(rule=rule).exists()  # a miss, kept as a check


def test_an_inbound_email_alerts_the_team(admin_user, customer, team, dispatch):
    IdentityFactory(customer=customer, kind="email", value="ana@example.com")
    rule_save(
        by=admin_user,
        data={
            "name": "Mail in",
            "event": "mail.received",
            "conditions": {"all": [{"field": "event.status", "op": "eq", "value": "imported"}]},
            "actions": [{"type": "alert", "to": "team", "title": "E-mail from {customer}"}],
        },
    )
    mail_import(raw=make_mail(sender="ana@example.com"))
    mail_import(raw=make_mail(sender="stranger@example.com"))  # unknown: not imported
    dispatch()
    alert = Alert.objects.get()
    assert (alert.team, alert.user, alert.customer) == (team, None, customer)
    assert alert.title == "E-mail from Lucía Vega"


def test_a_failed_text_message_alerts_the_owner_with_its_customer(
    admin_user,
    customer,
    rep,
    api,
    client,
    account,  # noqa: F811 (the fixture imported above)
    dispatch,
):
    IdentityFactory(customer=customer, kind="phone", value="+34611222333", is_primary=True)
    rule_save(
        by=admin_user,
        data={
            "name": "Text failed",
            "event": "message.status_changed",
            "conditions": {"all": [{"field": "event.status", "op": "eq", "value": "failed"}]},
            "actions": [{"type": "alert", "to": "owner", "title": "Text to {customer} failed"}],
        },
    )
    sent = api.post(
        f"/customers/{customer.pk}/messages", json={"account_id": account.pk, "body": "Hola"}
    )
    assert sent.status_code == 201, sent.content
    report = {"type": "status", "id": "prov-1", "status": "failed"}
    assert post_webhook(client, account, report).status_code == 200
    dispatch()
    alert = Alert.objects.get()
    assert (alert.user, alert.customer, alert.title) == (rep, customer, "Text to Lucía Vega failed")


def test_a_busy_channel_event_reaches_the_outbox_only_while_a_rule_listens(
    admin_user, customer, fax_mailbox
):
    IdentityFactory(customer=customer, kind="phone", value="+34911222333")
    mail_import(raw=fax_mail())
    assert rule_deliveries() == []  # fax, mail and timeline events: no rule, no row

    rule_save(by=admin_user, data=FAX_RULE)
    mail_import(raw=fax_mail())
    assert rule_deliveries() == ["fax.received"]
