"""A campaign end to end against a real SMTP server on loopback: the audience drawn
with a reproducible control group, only consenting customers mailed, RFC 8058
unsubscribe, opens and clicks on the timeline, a response becoming a lead, the report."""

import re
from decimal import Decimal

import pytest
from django.core import signing
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.channels.models import Interaction
from panorama.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from panorama.customers.models import Consent
from panorama.marketing import selectors
from panorama.marketing.models import Campaign, Recipient
from panorama.marketing.services.campaigns import (
    campaign_conversion_record,
    campaign_launch,
    campaign_response_record,
    campaign_save,
    in_control,
)
from panorama.marketing.services.segments import segment_save
from panorama.marketing.services.sending import campaign_send
from panorama.marketing.services.templates import template_save
from panorama.sales.models import Lead
from tests.factories import UserFactory

from .conftest import EXAMPLE_RULES, person

pytestmark = pytest.mark.django_db

BODY_ES = (
    "Hola {{ first_name }}:\n\n"
    "{% if 'CARD-CR' in products %}Gracias por usar tu tarjeta.{% else %}"
    "Pide tu tarjeta de crédito sin comisiones: https://banco.example/tarjeta{% endif %}"
)
BODY_EN = "Hello {{ first_name }},\n\nGet your credit card: https://banco.example/card"


@pytest.fixture
def campaign(world, marketer):
    segment = segment_save(by=marketer, name="Cuenta sin tarjeta", rules=EXAMPLE_RULES)
    template = template_save(
        by=marketer,
        name="Tarjeta",
        subject_es="{{ first_name }}, tu tarjeta te espera",
        body_es=BODY_ES,
        subject_en="{{ first_name }}, your card is waiting",
        body_en=BODY_EN,
    )
    return campaign_save(
        by=marketer,
        changes={
            "name": "Tarjeta para cuentas",
            "segment": segment.pk,
            "template": template.pk,
            "control_percent": 0,
            "cost": Decimal("100"),
            "offer_product_code": "CARD-CR",
        },
    )


def _links(message) -> list[str]:
    text = message.get_body(("plain",)).get_content()
    return re.findall(r"https://crm\.example\.com/marketing/\S+", text)


def test_only_consenting_customers_get_a_personalised_mail(campaign, marketer, smtp, emitted):
    with emitted() as events:
        drawn = campaign_launch(by=marketer, campaign=campaign)  # the task runs at commit
    assert drawn == {"target": 4, "control": 0}
    # Ana and Luis consent; Eva never did, Félix withdrew: skipped with the reason.
    assert sorted(m["To"] for m in smtp.emails) == ["ana@example.com", "luis@example.com"]
    ana = smtp.to("ana@example.com")[0]
    assert ana["Subject"] == "Ana, tu tarjeta te espera"
    assert "Hola Ana:" in ana.get_body(("plain",)).get_content()
    assert "https://banco.example/tarjeta" not in ana.get_body(("plain",)).get_content()  # tracked
    luis = smtp.to("luis@example.com")[0]
    assert luis["Subject"] == "Luis, your card is waiting"  # his language
    # RFC 8058 one-click unsubscribe.
    assert luis["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert luis["List-Unsubscribe"].strip().startswith("<https://crm.example.com/marketing/u/")
    reasons = dict(
        Recipient.objects.filter(status="skipped").values_list("customer__first_name", "reason")
    )
    assert reasons == {"Eva": "no_consent", "Félix": "no_consent"}
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
    names = [name for name, _payload in events]
    assert names.count("campaign.sent") == 2 and "campaign.launched" in names
    # On the timeline.
    assert (
        Interaction.objects.filter(
            customer__first_name="Ana", channel="email", direction="outbound", outcome="sent"
        ).count()
        == 1
    )


def test_unsubscribe_is_one_click_at_once_and_idempotent(campaign, marketer, smtp, client, launch):
    launch(by=marketer, campaign=campaign)
    message = smtp.to("ana@example.com")[0]
    url = message["List-Unsubscribe"].strip().strip("<>").removeprefix("https://crm.example.com")
    # A link scanner's GET only shows the button.
    page = client.get(url)
    assert (
        page.status_code == 200
        and Recipient.objects.filter(unsubscribed_at__isnull=False).count() == 0
    )
    answer = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    ana = campaign.recipients.get(customer__first_name="Ana")
    latest = Consent.objects.filter(customer_id=ana.customer_id, purpose="marketing").first()
    assert latest.granted is False and latest.channel == "email"
    # Replayed: the same answer, no second withdrawal.
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Consent.objects.filter(customer_id=ana.customer_id, granted=False).count() == 1
    # Tampered: 400, nothing changes.
    assert client.post(url[:-3] + "xyz/").status_code == 400
    assert client.get("/marketing/u/not-a-token/").status_code == 400
    # The next campaign to the same segment skips Ana at once.
    smtp.messages.clear()
    # (The first campaign contacted them: they left the "not contacted" segment.)
    accounts = segment_save(by=marketer, name="Cuentas", rules=EXAMPLE_RULES["rules"][0])
    again = campaign_save(
        by=marketer,
        changes={
            "name": "Otra",
            "segment": accounts.pk,
            "template": campaign.template_id,
            "control_percent": 0,
        },
    )
    launch(by=marketer, campaign=again)
    mailed = sorted(m["To"] for m in smtp.emails)
    assert mailed == ["bea@example.com", "carlos@example.com", "luis@example.com"]
    assert Interaction.objects.filter(customer_id=ana.customer_id, outcome="unsubscribed").exists()


def test_opens_and_clicks_land_once_on_the_timeline(campaign, marketer, smtp, client, launch):
    launch(by=marketer, campaign=campaign)
    message = smtp.to("ana@example.com")[0]
    html = message.get_body(("html",)).get_content()
    pixel = re.search(r'src="https://crm\.example\.com(/marketing/o/[^"]+)"', html).group(1)
    assert client.get(pixel)["Content-Type"] == "image/gif"
    client.get(pixel)
    click = next(link for link in _links(message) if "/marketing/c/" in link)
    answer = client.get(click.removeprefix("https://crm.example.com"))
    assert answer.status_code == 302 and answer["Location"] == "https://banco.example/tarjeta"
    ana = campaign.recipients.get(customer__first_name="Ana")
    assert (ana.opens, ana.clicks) == (2, 1) and ana.opened_at and ana.clicked_at
    outcomes = sorted(
        Interaction.objects.filter(customer_id=ana.customer_id, channel="email").values_list(
            "outcome", flat=True
        )
    )
    assert outcomes == ["clicked", "opened", "sent"]
    # A link whose target was changed is refused, never an open redirect.
    token = click.rsplit("/c/", 1)[1].strip("/")
    forged = signing.dumps({"r": ana.pk, "u": "https://evil.example"}, salt="other")
    assert client.get(f"/marketing/c/{forged}/").status_code == 400
    assert client.get(f"/marketing/c/{token[:-2]}AA/").status_code == 400


def test_a_response_becomes_a_lead_and_the_report_shows_roi_and_uplift(
    world, marketer, smtp, launch
):
    for n in range(40):
        person(f"Cliente N{n}", email_address=f"c{n}@example.com")
    segment = segment_save(by=marketer, name="Cuentas", rules=EXAMPLE_RULES)
    template = template_save(by=marketer, name="T", subject_es="Hola", body_es="Hola {{ name }}")
    campaign = campaign_save(
        by=marketer,
        changes={
            "name": "Con control",
            "segment": segment.pk,
            "template": template.pk,
            "control_percent": 25,
            "cost": Decimal("50"),
        },
    )
    drawn = launch(by=marketer, campaign=campaign)
    assert drawn["target"] + drawn["control"] == 44 and drawn["control"] > 0
    held = set(campaign.recipients.filter(group="control").values_list("customer_id", flat=True))
    assert held == {c for c in held if in_control(campaign.control_seed, c, 25)}  # reproducible
    # Nobody in the control group got the mail.
    mailed = {m["To"] for m in smtp.emails}
    held_addresses = set(
        campaign.recipients.filter(group="control").values_list(
            "customer__identities__value", flat=True
        )
    )
    assert mailed and not mailed & held_addresses
    sent = campaign.recipients.filter(status="sent").first()
    recipient = campaign_response_record(
        by=marketer, campaign=campaign, customer_id=sent.customer_id, note="Quiere la tarjeta"
    )
    lead = Lead.objects.get(pk=recipient.lead_id)
    assert lead.data["campaign_id"] == campaign.pk and "Quiere la tarjeta" in lead.notes
    with pytest.raises(Conflict):
        campaign_response_record(by=marketer, campaign=campaign, customer_id=sent.customer_id)
    campaign_conversion_record(
        by=marketer, campaign=campaign, customer_id=sent.customer_id, revenue=Decimal("150")
    )
    control = campaign.recipients.filter(group="control").first()
    campaign_conversion_record(
        by=marketer, campaign=campaign, customer_id=control.customer_id, revenue=Decimal("0")
    )
    results = selectors.campaign_results(campaign=campaign)
    assert results.responded == 1 and results.converted == 1
    assert results.revenue == Decimal("150") and results.roi == pytest.approx(2.0)
    t, c = results.target, results.control
    assert results.uplift == pytest.approx(1 / t.members - 1 / c.members)
    assert results.uplift_low < results.uplift < results.uplift_high


def test_a_holding_taken_after_the_launch_is_a_conversion_in_both_groups(
    campaign, marketer, smtp, launch
):
    from tests.factories import HoldingFactory

    launch(by=marketer, campaign=campaign)
    campaign.refresh_from_db()
    luis = campaign.recipients.get(customer__first_name="Luis")
    HoldingFactory(
        customer_id=luis.customer_id,
        product_code="CARD-CR",
        product_name="Tarjeta",
        start_date=timezone.localdate(campaign.launched_at),  # the launch day, at the site
    )
    assert selectors.campaign_results(campaign=campaign).converted == 1


def test_the_mail_server_refusing_is_retried_then_ledgered(
    campaign, marketer, smtp, settings, launch
):
    settings.PANORAMA_CAMPAIGN_ATTEMPTS = 2
    smtp.refuse = 1  # the first message to arrive: 451, its second attempt goes through
    launch(by=marketer, campaign=campaign)
    # Ana and Luis consent; whichever of the two arrived first (they go out over several
    # connections at once) took a second attempt.
    sent = campaign.recipients.filter(status="sent")
    assert sorted(sent.values_list("attempts", flat=True)) == [1, 2]
    smtp.refuse = 10
    # (The first campaign contacted them: they left the "not contacted" segment.)
    accounts = segment_save(by=marketer, name="Cuentas", rules=EXAMPLE_RULES["rules"][0])
    again = campaign_save(
        by=marketer,
        changes={
            "name": "Otra",
            "segment": accounts.pk,
            "template": campaign.template_id,
            "control_percent": 0,
        },
    )
    launch(by=marketer, campaign=again)
    failed = again.recipients.filter(status="failed")
    assert failed.count() == 4 and "451" in failed.first().error  # the four who consent
    # Each on the customer's timeline as a failed message, sent by the campaign.
    entries = Interaction.objects.filter(failed=True, metadata__campaign_id=again.pk)
    assert sorted(entries.values_list("customer_id", flat=True)) == sorted(
        failed.values_list("customer_id", flat=True)
    )
    assert all("451" in e.metadata["error"] for e in entries)
    assert {e.metadata["source_name"] for e in entries} == {"Otra"}
    # A second run sends nothing twice.
    assert campaign_send(campaign_id=campaign.pk) == {"sent": 0, "skipped": 0, "failed": 0}


def test_bad_campaigns_are_refused_with_the_reason(world, marketer, campaign):
    nobody = segment_save(
        by=marketer,
        name="Sin consentimiento",
        rules={"field": "consent", "op": "has_not", "value": "marketing", "channel": "email"},
    )
    draft = campaign_save(
        by=marketer,
        changes={"name": "Nadie", "segment": nobody.pk, "template": campaign.template_id},
    )
    with pytest.raises(ValidationFailed) as caught:
        campaign_launch(by=marketer, campaign=draft)
    assert "consented" in str(caught.value.message)
    banner = campaign_save(
        by=marketer,
        changes={
            "name": "Banner",
            "channel": "banner",
            "segment": campaign.segment_id,
        },
    )
    with pytest.raises(ValidationFailed) as caught:
        campaign_launch(by=marketer, campaign=banner)
    assert caught.value.field == "template"  # a portal banner shows a message too
    with pytest.raises(ValidationFailed):
        campaign_save(by=marketer, changes={"name": "x", "control_percent": 80})
    rep = UserFactory(username="pepe", role=Role.SALES_REP)
    with pytest.raises(PermissionDenied):
        campaign_launch(by=rep, campaign=campaign)


def test_the_api_runs_a_campaign_and_reports(
    world, marketer, api_as, smtp, django_capture_on_commit_callbacks
):
    api = api_as(marketer)
    segment = api.post("/marketing/segments", json={"name": "Ejemplo", "rules": EXAMPLE_RULES})
    assert segment.status_code == 201
    bad = api.post(
        "/marketing/segments/count", json={"rules": {"field": "color", "op": "eq", "value": "x"}}
    )
    assert bad.status_code == 422 and "color" in bad.json()["detail"]
    assert api.post("/marketing/segments/count", json={"rules": EXAMPLE_RULES}).json() == {
        "count": 4
    }
    broken = api.post(
        "/marketing/templates",
        json={"name": "Roto", "subject_es": "Hola", "body_es": "Hola {{ nombre }}"},
    )
    assert broken.status_code == 422 and "nombre" in broken.json()["detail"]
    assert broken.json()["errors"] == {"body_es": [broken.json()["detail"]]}
    template = api.post(
        "/marketing/templates",
        json={"name": "Bien", "subject_es": "Hola", "body_es": "Hola {{ first_name }}"},
    ).json()
    preview = api.post(
        f"/marketing/templates/{template['id']}/preview", json={"customer_id": world["ana"].pk}
    ).json()
    assert preview["body"] == "Hola Ana"
    created = api.post(
        "/marketing/campaigns",
        json={
            "name": "API",
            "segment_id": segment.json()["id"],
            "template_id": template["id"],
            "control_percent": 0,
            "cost": "10",
        },
    )
    assert created.status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        launched = api.post(f"/marketing/campaigns/{created.json()['id']}/launch")
    assert launched.status_code == 200 and launched.json()["target"] == 4
    results = api.get(f"/marketing/campaigns/{created.json()['id']}/results").json()
    assert results["sent"] == 2 and results["skipped"] == 2 and results["roi"] == -1.0
    again = api.post(f"/marketing/campaigns/{created.json()['id']}/launch")
    assert again.status_code == 409
