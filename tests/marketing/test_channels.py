# ruff: noqa: F811  (the provider fixture imported from channels is a parameter below)
"""Campaigns beyond e-mail: SMS through the channels' messaging provider (a real HTTP
server here, speaking the reference API), call lists worked by the call centre with the
campaign's argumentario, and direct mail exported for the printer. Each reads the
consent to marketing on its own channel when it acts, not at launch."""

import csv
import datetime
import io

import pytest
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from panorama.accounts.models import Role
from panorama.channels.models import Interaction, MessagingAccount, TextMessage
from panorama.channels.sms.services import messaging_account_save
from panorama.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from panorama.customers.models import Consent
from panorama.marketing import selectors
from panorama.marketing.models import Campaign, Recipient
from panorama.marketing.services.calls import call_next, call_outcome_record
from panorama.marketing.services.campaigns import campaign_save
from panorama.marketing.services.directmail import direct_mail_export
from panorama.marketing.services.segments import segment_save
from panorama.marketing.services.sending import campaign_send
from panorama.marketing.services.sms import sms_length
from panorama.marketing.services.templates import template_save
from panorama.sales.models import Lead, Script
from tests.channels.test_messaging import KEY, provider  # noqa: F401 (fixture)
from tests.factories import AddressFactory, ConsentFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db

EVERYONE_WITH_ACCOUNT = {
    "op": "and",
    "rules": [{"field": "holding", "op": "has", "value": "ACC-NOM"}],
}


def consent(customer, channel, granted=True):
    ConsentFactory(customer=customer, channel=channel, granted=granted)


def phone(customer, number):
    IdentityFactory(customer=customer, kind="phone", value=number, is_primary=True)


def campaign(marketer, **changes):
    segment = segment_save(by=marketer, name="Con cuenta", rules=EVERYONE_WITH_ACCOUNT)
    return campaign_save(
        by=marketer,
        changes={"name": "Prueba", "segment": segment.pk, "control_percent": 0, **changes},
    )


# --- SMS -----------------------------------------------------------------------------------


def test_sms_length_counts_gsm_and_unicode_segments():
    assert sms_length("Hola Ana, tu tarjeta te espera.") == {
        "characters": 31,
        "units": 31,
        "segments": 1,
        "encoding": "gsm",
    }
    assert sms_length("x" * 161)["segments"] == 2  # 153 a part once split
    assert sms_length("€" * 80)["units"] == 160  # the euro sign takes two septets
    accented = sms_length("Ocasión única " * 6)  # ó and ú are not in GSM 7-bit
    assert accented["encoding"] == "ucs2" and accented["segments"] == 2


def test_an_sms_campaign_texts_the_customers_who_consent_to_sms_at_send_time(
    world, marketer, provider, launch, settings, emitted
):
    settings.PANORAMA_CAMPAIGN_RATE = 0
    url, received = provider
    account = messaging_account_save(
        by=None,
        account=MessagingAccount(name="SMS", number="+34600100200", api_url=url),
        api_key=KEY,
    )
    ana, luis, carlos, bea = world["ana"], world["luis"], world["carlos"], world["bea"]
    for customer, number in [(ana, "+34611000001"), (luis, "+34611000002"), (bea, "+34611000000")]:
        phone(customer, number)
        consent(customer, Consent.Channel.SMS)
    consent(carlos, Consent.Channel.SMS)  # consents, has no phone
    template = template_save(
        by=marketer,
        name="SMS",
        subject_es="-",
        body_es="Hola {{ first_name }}, tu tarjeta sin comisiones te espera.",
        subject_en="-",
        body_en="Hi {{ first_name }}, your card is waiting.",
    )
    sms = campaign(marketer, channel="sms", template=template.pk)
    with pytest.raises(ValidationFailed) as refused:
        launch(by=marketer, campaign=sms)
    assert refused.value.field == "sms_account"

    later = timezone.now() + datetime.timedelta(hours=1)
    sms = campaign_save(
        by=marketer, campaign=sms, changes={"sms_account": account.pk, "scheduled_at": later}
    )
    launch(by=marketer, campaign=sms)
    assert received == []  # scheduled
    # Luis withdraws between the launch and the sending: read at send time.
    consent(luis, Consent.Channel.SMS, granted=False)
    with emitted() as events:
        counts = campaign_send(campaign_id=sms.pk)

    assert counts == {"sent": 1, "skipped": 4, "failed": 1}
    texts = {m["to"]: m["body"] for m in received}
    assert texts == {"+34611000001": "Hola Ana, tu tarjeta sin comisiones te espera."}
    rows = {r.customer_id: r for r in Recipient.objects.filter(campaign=sms)}
    assert (rows[ana.pk].status, rows[ana.pk].phone) == ("sent", "+34611000001")
    assert (rows[luis.pk].status, rows[luis.pk].reason) == ("skipped", "no_consent")
    assert (rows[carlos.pk].status, rows[carlos.pk].reason) == ("skipped", "no_phone")
    assert (rows[world["eva"].pk].status, rows[world["eva"].pk].reason) == ("skipped", "no_consent")
    # Bea's number is refused by the provider: failed, with its answer.
    assert rows[bea.pk].status == "failed" and "not reachable" in rows[bea.pk].error
    # ... and on her timeline as a failed message, sent by the campaign.
    failed = Interaction.objects.get(customer=bea, failed=True)
    assert failed.subject == "Campaign SMS: Prueba" and failed.related_id == rows[bea.pk].pk
    assert (
        failed.metadata["source_name"] == "Prueba" and "not reachable" in failed.metadata["error"]
    )
    message = TextMessage.objects.get(customer=ana, status="queued")
    entry = Interaction.objects.get(pk=message.interaction_id)
    assert entry.channel == "sms" and entry.subject == "Campaign SMS: Prueba"
    assert entry.related_id == rows[ana.pk].pk
    assert [p["customer_id"] for n, p in events if n == "campaign.sent"] == [ana.pk]
    sms.refresh_from_db()
    assert sms.status == Campaign.Status.SENT
    assert selectors.campaign_results(campaign=sms).sent == 1


def test_an_sms_campaign_without_sms_consent_is_refused(world, marketer, launch, provider):
    url, _received = provider
    account = messaging_account_save(
        by=None,
        account=MessagingAccount(name="SMS", number="+34600100200", api_url=url),
        api_key=KEY,
    )
    template = template_save(by=marketer, name="SMS", subject_es="-", body_es="Hola")
    sms = campaign(marketer, channel="sms", template=template.pk, sms_account=account.pk)
    with pytest.raises(ValidationFailed) as refused:
        launch(by=marketer, campaign=sms)
    assert "consented to marketing on SMS" in str(refused.value.message)
    assert not Recipient.objects.exists()


@pytest.fixture
def sms_scheduled(world, marketer, provider, launch):
    """An SMS campaign to Ana and Luis (both consent, in that ledger order), launched for
    an hour from now: nothing sent yet."""
    url, _received = provider
    account = messaging_account_save(
        by=None,
        account=MessagingAccount(name="SMS", number="+34600100200", api_url=url),
        api_key=KEY,
    )
    for customer, number in [(world["ana"], "+34611000001"), (world["luis"], "+34611000002")]:
        phone(customer, number)
        consent(customer, Consent.Channel.SMS)
    template = template_save(by=marketer, name="SMS", subject_es="-", body_es="Hola")
    later = timezone.now() + datetime.timedelta(hours=1)
    sms = campaign(
        marketer, channel="sms", template=template.pk, sms_account=account.pk, scheduled_at=later
    )
    launch(by=marketer, campaign=sms)
    return sms


def test_an_sms_withdrawn_between_two_batches_of_one_run_is_not_sent(
    sms_scheduled, world, provider, settings
):
    settings.PANORAMA_CAMPAIGN_RATE = 0
    _url, received = provider
    ana, luis = world["ana"], world["luis"]

    def luis_withdraws(sender, instance, **kwargs):
        # Luis answers STOP the moment Ana's text is ledgered, before his batch is read.
        if instance.customer_id == ana.pk and instance.status == Recipient.Status.SENT:
            consent(luis, Consent.Channel.SMS, granted=False)

    post_save.connect(luis_withdraws, sender=Recipient)
    try:
        counts = campaign_send(campaign_id=sms_scheduled.pk, batch=1)
    finally:
        post_save.disconnect(luis_withdraws, sender=Recipient)

    assert counts == {"sent": 1, "skipped": 5, "failed": 0}
    assert [m["to"] for m in received] == ["+34611000001"]
    luis_row = Recipient.objects.get(campaign=sms_scheduled, customer=luis)
    assert (luis_row.status, luis_row.reason) == ("skipped", "no_consent")


def test_an_sms_campaign_stopped_after_a_batch_resumes_without_texting_twice(
    sms_scheduled, provider, settings
):
    settings.PANORAMA_CAMPAIGN_RATE = 0
    _url, received = provider
    first = campaign_send(campaign_id=sms_scheduled.pk, batch=1, limit=1)
    assert first == {"sent": 1, "skipped": 0, "failed": 0}
    sms_scheduled.refresh_from_db()
    assert sms_scheduled.status == Campaign.Status.SENDING  # the rest still pending

    rest = campaign_send(campaign_id=sms_scheduled.pk, batch=1)
    assert rest == {"sent": 1, "skipped": 4, "failed": 0}
    assert [m["to"] for m in received] == ["+34611000001", "+34611000002"]
    sms_scheduled.refresh_from_db()
    assert sms_scheduled.status == Campaign.Status.SENT


# --- call lists ----------------------------------------------------------------------------


@pytest.fixture
def call_list(world, marketer, launch):
    """Ana and Luis consent to calls and have phones; Carlos consents without a phone;
    the others never consented to calls."""
    for customer, number in [(world["ana"], "+34611000001"), (world["luis"], "+34611000002")]:
        phone(customer, number)
        consent(customer, Consent.Channel.PHONE)
    consent(world["carlos"], Consent.Channel.PHONE)
    script = Script.objects.create(
        title="Tarjeta sin comisiones",
        body="Preséntate y ofrece la tarjeta.",
        objections=[{"objection": "Ya tengo una", "answer": "Esta no tiene comisiones."}],
    )
    calls = campaign(
        marketer,
        channel="call_list",
        script=script.pk,
        programme="cross_sell",
        offer_product_code="CARD-CR",
    )
    drawn = launch(by=marketer, campaign=calls)
    assert drawn["target"] == 6  # everyone with a current account (not Dora)
    calls.refresh_from_db()
    return calls


@pytest.fixture
def agent(db):
    return UserFactory(username="carla", role=Role.SERVICE_AGENT)


def test_an_agent_works_the_call_list_with_the_script_and_an_interest_becomes_a_lead(
    call_list, agent, world, client, emitted
):
    client.force_login(agent)
    desk = reverse("marketing:call_desk", args=[call_list.pk])
    page = client.get(desk).content.decode()
    assert "Next customer" in page

    client.post(reverse("marketing:call_take", args=[call_list.pk]))
    page = client.get(desk).content.decode()
    # The queue in its order: Ana first.
    first = Recipient.objects.get(campaign=call_list, agent=agent, status="pending")
    assert first.customer_id == world["ana"].pk
    assert first.phone in page and "Tarjeta sin comisiones" in page
    assert "Esta no tiene comisiones." in page  # the argumentario's objections
    assert "CARD-CR" in page

    with emitted() as events:
        answer = client.post(
            reverse("marketing:call_outcome", args=[call_list.pk, first.pk]),
            {"outcome": "interested", "note": "Quiere la tarjeta"},
        )
    assert answer.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.call_outcome, first.calls) == ("called", "interested", 1)
    lead = Lead.objects.get(pk=first.lead_id)
    assert lead.source == Lead.Source.PHONE and lead.data["campaign_id"] == call_list.pk
    call = Interaction.objects.get(
        customer_id=first.customer_id, channel="phone", subject="Campaign call: Prueba"
    )
    assert call.outcome == "Interested" and call.agent == agent and call.body == "Quiere la tarjeta"
    assert [p["outcome"] for n, p in events if n == "campaign.called"] == ["interested"]

    # The next customer; nobody answers: back in the queue, then a call back.
    second = call_next(by=agent, campaign=call_list)
    assert second.customer_id == world["luis"].pk
    call_outcome_record(by=agent, campaign=call_list, recipient_id=second.pk, outcome="no_answer")
    second.refresh_from_db()
    assert (second.status, second.agent_id, second.calls) == ("pending", None, 1)
    # Bea, Carlos, Eva and Félix come before a second try; none can be called (no
    # consent to calls, or no phone): skipped on the way, and Luis comes again.
    again = call_next(by=agent, campaign=call_list)
    assert again.pk == second.pk
    with pytest.raises(ValidationFailed):
        call_outcome_record(
            by=agent, campaign=call_list, recipient_id=again.pk, outcome="call_back"
        )
    later = timezone.now() + datetime.timedelta(hours=2)
    call_outcome_record(
        by=agent, campaign=call_list, recipient_id=again.pk, outcome="call_back", callback_at=later
    )
    assert call_next(by=agent, campaign=call_list) is None  # the call back is not due yet
    progress = selectors.call_progress(campaign=call_list)
    assert progress["called"] == 1 and progress["call_back"] == 1 and progress["to_call"] == 0
    assert progress["skipped"] == 4

    page = client.get(reverse("marketing:campaign_detail", args=[call_list.pk])).content.decode()
    assert 'data-progress="interested">1' in page and 'data-result="responded">1' in page

    # At its time, the call back comes back to the same agent, not to another.
    Recipient.objects.filter(pk=second.pk).update(callback_at=timezone.now())
    other = UserFactory(username="otro", role=Role.SERVICE_AGENT)
    assert call_next(by=other, campaign=call_list) is None
    back = call_next(by=agent, campaign=call_list)
    assert back.pk == second.pk
    call_outcome_record(
        by=agent, campaign=call_list, recipient_id=back.pk, outcome="not_interested"
    )
    call_list.refresh_from_db()
    assert call_list.status == Campaign.Status.SENT  # nobody left: the list is over


def test_only_the_agent_holding_a_call_records_it_and_analysts_make_no_calls(
    call_list, agent, world
):
    taken = call_next(by=agent, campaign=call_list)
    other = UserFactory(username="otro", role=Role.SALES_REP)
    with pytest.raises(Conflict):
        call_outcome_record(by=other, campaign=call_list, recipient_id=taken.pk, outcome="reached")
    analyst = UserFactory(username="ana_lista", role=Role.ANALYST)
    with pytest.raises(PermissionDenied):
        call_next(by=analyst, campaign=call_list)
    with pytest.raises(ValidationFailed) as bad:
        call_outcome_record(by=agent, campaign=call_list, recipient_id=taken.pk, outcome="maybe")
    assert bad.value.field == "outcome"


def test_the_call_list_api(call_list, agent, api_as):
    api = api_as(agent)
    lists = api.get("/marketing/call-lists").json()
    assert [item["campaign"]["id"] for item in lists] == [call_list.pk]
    taken = api.post(f"/marketing/campaigns/{call_list.pk}/calls/next").json()
    assert taken["agent_id"] == agent.pk and taken["phone"].startswith("+34611")
    answer = api.post(
        f"/marketing/campaigns/{call_list.pk}/calls/{taken['id']}/outcome",
        json={"outcome": "reached", "note": "Bien"},
    )
    assert answer.status_code == 200 and answer.json()["call_outcome"] == "reached"
    refused = api.post(
        f"/marketing/campaigns/{call_list.pk}/calls/{taken['id']}/outcome",
        json={"outcome": "reached"},
    )
    assert refused.status_code == 409


# --- direct mail ---------------------------------------------------------------------------


def test_direct_mail_exports_the_consenting_addresses_once_formula_safe(
    world, marketer, launch, client
):
    ana, luis, carlos = world["ana"], world["luis"], world["carlos"]
    AddressFactory(customer=ana, line1="Calle Mayor 1", is_primary=True)
    AddressFactory(customer=luis, line1='=HYPERLINK("http://evil")', city="Sevilla")
    AddressFactory(customer=world["bea"], line1="Gran Vía 2")  # no consent to post
    for customer in (ana, luis, carlos):  # Carlos has no address
        consent(customer, Consent.Channel.POST)
    mailing = campaign(marketer, channel="direct_mail", programme="win_back")
    launch(by=marketer, campaign=mailing)
    client.force_login(marketer)

    answer = client.post(reverse("marketing:direct_mail", args=[mailing.pk]), {"format": "csv"})
    assert answer.status_code == 200 and "direct-mail" in answer["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Customer", "Name", "First name", "Address"]
    by_name = {r[1]: r for r in rows[1:]}
    assert set(by_name) == {"Ana García", "Luis Pérez"}
    assert by_name["Ana García"][3] == "Calle Mayor 1"
    assert by_name["Luis Pérez"][3] == '\'=HYPERLINK("http://evil")'  # never run
    ledger = {r.customer_id: r for r in Recipient.objects.filter(campaign=mailing)}
    assert ledger[ana.pk].status == "exported" and ledger[ana.pk].exported_at
    assert (ledger[carlos.pk].status, ledger[carlos.pk].reason) == ("skipped", "no_address")
    assert ledger[world["bea"].pk].reason == "no_consent"
    letters = Interaction.objects.filter(subject="Campaign letter: Prueba")
    assert sorted(letters.values_list("customer_id", flat=True)) == sorted([ana.pk, luis.pk])
    mailing.refresh_from_db()
    assert mailing.status == Campaign.Status.SENT
    assert selectors.campaign_results(campaign=mailing).exported == 2

    # Again, as a workbook: the same customers, nothing ledgered twice.
    name, content = direct_mail_export(by=marketer, campaign=mailing, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 3 and values[2][3] == '\'=HYPERLINK("http://evil")'
    assert letters.count() == 2
    page = client.get(reverse("marketing:campaign_detail", args=[mailing.pk])).content.decode()
    assert 'data-result="exported">2' in page and "Win-back" in page


def test_direct_mail_is_exported_only_after_the_launch(world, marketer):
    mailing = campaign(marketer, channel="direct_mail")
    with pytest.raises(Conflict):
        direct_mail_export(by=marketer, campaign=mailing)


# --- retention and win-back programmes -----------------------------------------------------


def test_a_retention_target_by_churn_risk_and_inactivity_without_the_offer(
    world, marketer, client, launch
):
    from panorama.analytics.models import CustomerScore

    # Ana (no contact in 200 days) and Luis (never contacted) are at risk; Bea too but
    # she holds the card already; Carlos is at risk but was called last month.
    for name, churn in [("ana", 0.8), ("luis", 0.7), ("bea", 0.9), ("carlos", 0.9), ("eva", 0.2)]:
        CustomerScore.objects.create(customer=world[name], churn_risk=churn)
    client.force_login(marketer)
    page = client.get(reverse("marketing:segment_list")).content.decode()
    assert "Churn risk above (0 to 1)" in page

    answer = client.post(
        reverse("marketing:programme_segment"),
        {
            "programme": "retention",
            "name": "En riesgo",
            "churn_above": "0.6",
            "inactive_days": "90",
            "offer_product_code": "CARD-CR",
        },
    )
    segment = selectors.segments_all().get(name="En riesgo")
    assert answer.status_code == 302 and answer["Location"].endswith(f"/{segment.pk}/")
    assert (
        segment.description
        == "Retention: churn risk above 0.6, no contact in 90 days, without CARD-CR"
    )
    members = set(
        selectors.segment_customers(user=marketer, rules=segment.rules).values_list("pk", flat=True)
    )
    assert members == {world["ana"].pk, world["luis"].pk}

    # The programme's campaign: the offer, measured against its control group.
    retention = campaign_save(
        by=marketer,
        changes={
            "name": "Retener",
            "segment": segment.pk,
            "channel": "direct_mail",
            "programme": "retention",
            "offer_product_code": "CARD-CR",
            "control_percent": 50,
        },
    )
    for customer in (world["ana"], world["luis"]):
        consent(customer, Consent.Channel.POST)
    drawn = launch(by=marketer, campaign=retention)
    assert drawn["target"] + drawn["control"] == 2
    assert selectors.campaign_results(campaign=retention).control.members == drawn["control"]

    bad = client.post(
        reverse("marketing:programme_segment"),
        {"programme": "win_back", "name": "Nada"},
    )
    assert bad.status_code == 422
    assert "Give a churn risk or a number of days without contact." in bad.content.decode()


def test_the_programme_api_refuses_a_churn_risk_out_of_range(world, marketer, api_as):
    api = api_as(marketer)
    bad = api.post(
        "/marketing/segments/programme",
        json={"programme": "win_back", "name": "X", "churn_above": "1.5"},
    )
    assert bad.status_code == 422 and "probability from 0 to 1" in bad.json()["detail"]
    made = api.post(
        "/marketing/segments/programme",
        json={"programme": "win_back", "name": "Dormidos", "inactive_days": 180},
    )
    assert made.status_code == 201
    (rule,) = made.json()["rules"]["rules"]
    assert (rule["field"], rule["op"], rule["value"]) == ("contacted", "not_within_days", 180)
