# ruff: noqa: F811  (the provider fixture imported from channels is a parameter below)
"""Two more rule actions, as the outbox runs them: "add to a static list" joins the
customer through marketing's own service (the membership history kept, once only);
"send an SMS" goes through the channels' messaging provider (a real local HTTP server)
only with a consent to marketing by SMS at that moment, the text's fields filled in.
Both are checked at save (an unknown list or account is named), offered in the rule
editor and accepted by the API."""

import socket

import pytest
from django.urls import reverse
from django.utils import translation

from panorama.automation.models import Alert, RuleRun
from panorama.automation.services.rules import rule_save
from panorama.channels.models import Interaction, MessagingAccount, TextMessage
from panorama.channels.sms.services import messaging_account_save
from panorama.core.exceptions import ValidationFailed
from panorama.customers.services.relations import consent_record
from panorama.marketing.models import ListMembership, StaticList
from panorama.sales.models import Activity
from tests.channels.test_messaging import KEY, provider  # noqa: F401

from ..factories import ConsentFactory, IdentityFactory
from .conftest import MORTGAGE_RULE
from .test_rule_actions import redeliver
from .test_rules import simulate

pytestmark = pytest.mark.django_db
SMS_TEXT = "Hola {customer}, ¿hablamos de su hipoteca de {event.data.amount} €?"


@pytest.fixture
def static_list(db):
    return StaticList.objects.create(name="Hipotecas calientes")


@pytest.fixture
def account(provider):
    url, _received = provider
    return messaging_account_save(
        by=None,
        account=MessagingAccount(name="SMS banco", number="+34600100200", api_url=url),
        api_key=KEY,
    )


def rule_with(admin_user, action):
    return rule_save(by=admin_user, data={**MORTGAGE_RULE, "actions": [action]})


def test_the_rule_adds_the_customer_to_the_list_once_with_history(
    site, customer, admin_user, static_list, dispatch
):
    rule = rule_with(admin_user, {"type": "add_to_list", "list": static_list.pk})
    simulate(site, customer)
    dispatch()
    [stay] = ListMembership.objects.filter(static_list=static_list, customer=customer)
    assert stay.left_at is None and stay.joined_at is not None
    [run] = RuleRun.objects.filter(rule=rule)
    assert run.error == "" and run.actions_done == ["Added to the list Hipotecas calientes"]
    redeliver(dispatch)
    simulate(site, customer, amount=300000)  # matched again: not a second stay
    dispatch()
    assert ListMembership.objects.filter(static_list=static_list, customer=customer).count() == 1
    last = RuleRun.objects.filter(rule=rule).order_by("-id").first()
    assert last.actions_done == ["Already in the list Hipotecas calientes"]


def test_an_unknown_list_or_account_or_an_empty_text_is_refused_at_save(
    admin_user, static_list, account
):
    with pytest.raises(ValidationFailed) as refused:
        rule_with(admin_user, {"type": "add_to_list", "list": static_list.pk + 99})
    assert f"static list {static_list.pk + 99}, which does not exist" in refused.value.message
    with pytest.raises(ValidationFailed, match="add_to_list"):
        rule_with(admin_user, {"type": "add_to_list", "list": "hot"})
    with translation.override("es"), pytest.raises(ValidationFailed, match="que no existe"):
        rule_with(admin_user, {"type": "add_to_list", "list": static_list.pk + 99})
    with pytest.raises(ValidationFailed, match=f"SMS account {account.pk + 9}"):
        rule_with(admin_user, {"type": "send_sms", "account": account.pk + 9, "text": "Hi"})
    with pytest.raises(ValidationFailed, match="needs a text"):
        rule_with(admin_user, {"type": "send_sms", "account": account.pk, "text": " "})
    with pytest.raises(ValidationFailed, match="at most 1600"):
        rule_with(admin_user, {"type": "send_sms", "account": account.pk, "text": "x" * 1601})
    with pytest.raises(ValidationFailed, match="has no template"):
        rule_with(admin_user, {"type": "send_sms", "account": account.pk, "template": 1})


def test_the_sms_reaches_the_provider_with_consent_and_lands_on_the_timeline(
    site, customer, admin_user, account, provider, dispatch
):
    _url, received = provider
    IdentityFactory(customer=customer, kind="phone", value="+34611222333", is_primary=True)
    ConsentFactory(customer=customer, channel="sms", granted=True)
    rule = rule_with(admin_user, {"type": "send_sms", "account": account.pk, "text": SMS_TEXT})
    simulate(site, customer)
    dispatch()
    [sent] = received
    assert sent["to"] == "+34611222333" and sent["from"] == "+34600100200"
    assert sent["body"] == "Hola Lucía Vega, ¿hablamos de su hipoteca de 250000 €?"
    [run] = RuleRun.objects.filter(rule=rule)
    assert run.error == "" and run.actions_done == ["SMS sent to +34611222333"]
    message = TextMessage.objects.get(customer=customer)
    assert message.status == "queued" and message.provider_id == "prov-1"
    assert Interaction.objects.filter(customer=customer, channel="sms").count() == 1
    redeliver(dispatch)
    assert len(received) == 1


def test_without_sms_consent_nothing_goes_and_the_run_says_why(
    site, customer, admin_user, account, provider, dispatch
):
    _url, received = provider
    IdentityFactory(customer=customer, kind="phone", value="+34611222333", is_primary=True)
    ConsentFactory(customer=customer, channel="email", granted=True)  # e-mail is not SMS
    rule = rule_with(admin_user, {"type": "send_sms", "account": account.pk, "text": "Hola"})
    simulate(site, customer)
    dispatch()
    ConsentFactory(customer=customer, channel="sms", granted=True)
    consent_record(customer=customer, purpose="marketing", channel="sms", granted=False, by=None)
    simulate(site, customer, amount=300000)
    dispatch()
    assert received == []
    runs = list(RuleRun.objects.filter(rule=rule).order_by("id"))
    assert [r.actions_done for r in runs] == [
        ["SMS not sent: no consent to marketing by SMS"],
        ["SMS not sent: no consent to marketing by SMS"],
    ]
    assert not TextMessage.objects.exists()


def sms_after_the_mortgage_actions(admin_user, account):
    """The mortgage rule's alert and call, then the SMS: a refused SMS must not leave the
    alert and the call of a run that failed."""
    sms = {"type": "send_sms", "account": account.pk, "text": "Hola {customer}"}
    return rule_save(
        by=admin_user, data={**MORTGAGE_RULE, "actions": [*MORTGAGE_RULE["actions"], sms]}
    )


def test_a_refused_sms_is_kept_failed_with_the_reason_and_the_runs_other_writes_undone(
    site, customer, admin_user, rep, account, provider, dispatch, api_as
):
    _url, received = provider
    IdentityFactory(customer=customer, kind="phone", value="+34611222000", is_primary=True)
    ConsentFactory(customer=customer, channel="sms", granted=True)
    rule = sms_after_the_mortgage_actions(admin_user, account)
    simulate(site, customer)
    dispatch()
    [run] = RuleRun.objects.filter(rule=rule)
    assert "The provider did not accept the message" in run.error
    assert "number not reachable" in run.error and run.actions_done == []
    assert not Alert.objects.filter(customer=customer).exists()
    assert not Activity.objects.filter(customer=customer).exists()
    assert received == []
    # His manager reads the customer's messages: the refused text is there, with why.
    [shown] = api_as(rep).get(f"/customers/{customer.pk}/messages").json()
    assert shown["status"] == "failed" and shown["direction"] == "outbound"
    assert shown["number"] == "+34611222000" and shown["body"] == "Hola Lucía Vega"
    assert "number not reachable" in shown["error"]
    # And on his timeline as a failed message, sent by the rule.
    [failed] = api_as(rep).get("/channels/failed-messages").json()["items"]
    assert (failed["customer_id"], failed["channel"]) == (customer.pk, "sms")
    assert failed["sent_by"] == f"Rule: {rule.name}" and "not reachable" in failed["error"]
    redeliver(dispatch)  # delivered again: the run is done, nothing is kept twice
    assert TextMessage.objects.filter(customer=customer).count() == 1
    assert Interaction.objects.filter(customer=customer, failed=True).count() == 1
    assert RuleRun.objects.filter(rule=rule).count() == 1


def test_a_provider_that_cannot_be_reached_is_kept_failed_too(site, customer, admin_user, dispatch):
    with socket.socket() as closed:  # a port nobody listens on once the socket is closed
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    account = messaging_account_save(
        by=None,
        account=MessagingAccount(
            name="SMS caído", number="+34600100200", api_url=f"http://127.0.0.1:{port}"
        ),
        api_key=KEY,
    )
    IdentityFactory(customer=customer, kind="phone", value="+34611222333", is_primary=True)
    ConsentFactory(customer=customer, channel="sms", granted=True)
    rule = sms_after_the_mortgage_actions(admin_user, account)
    simulate(site, customer)
    dispatch()
    [run] = RuleRun.objects.filter(rule=rule)
    assert "ConnectError" in run.error and run.actions_done == []
    [message] = TextMessage.objects.filter(customer=customer)
    assert message.status == "failed" and "ConnectError" in message.error
    assert not Alert.objects.filter(customer=customer).exists()


def test_the_api_takes_both_actions_and_refuses_an_unknown_list(api, static_list, account):
    actions = [
        {"type": "add_to_list", "list": static_list.pk},
        {"type": "send_sms", "account": account.pk, "text": "Hola"},
    ]
    created = api.post("/automation/rules", json={**MORTGAGE_RULE, "actions": actions})
    assert created.status_code == 201, created.content
    assert created.json()["actions"] == actions
    bad = {**MORTGAGE_RULE, "name": "Bad", "actions": [{"type": "add_to_list", "list": 987654}]}
    refused = api.post("/automation/rules", json=bad)
    assert refused.status_code == 422
    assert "static list 987654, which does not exist" in refused.json()["detail"]


def test_the_rule_editor_offers_and_saves_both_actions(client, admin_user, static_list, account):
    client.force_login(admin_user)
    page = client.get(reverse("automation:rule_new")).content.decode()
    assert "Add to a static list" in page and ">Hipotecas calientes</option>" in page
    assert "Send an SMS" in page and ">SMS banco</option>" in page
    form = {
        "name": "Caliente",
        "active": "on",
        "trigger": "event",
        "event": "web.event_tracked",
        "match": "all",
        "list_on": "on",
        "static_list": str(static_list.pk),
        "sms_on": "on",
        "sms_account": str(account.pk),
        "sms_text": "Hola {customer}",
    }
    for i in range(5):
        form |= {f"c{i}_field": "", f"c{i}_op": "eq", f"c{i}_value": ""}
    saved = client.post(reverse("automation:rule_new"), form)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    rule = RuleRun.rule.field.related_model.objects.get(name="Caliente")
    assert rule.actions == [
        {"type": "add_to_list", "list": static_list.pk},
        {"type": "send_sms", "account": account.pk, "text": "Hola {customer}"},
    ]
    edit = client.get(reverse("automation:rule_edit", args=[rule.pk])).content.decode()
    assert "Hola {customer}</textarea>" in edit
    missing = client.post(reverse("automation:rule_new"), form | {"name": "X", "sms_account": ""})
    assert missing.status_code == 422 and "send_sms" in missing.content.decode()
