"""A/B tests: a reproducible test share gets the variants through a real SMTP server
(aiosmtpd); the clicks that come back choose the winner when the test is over, and the
worker's decision sends it to everyone else."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.marketing.models import Campaign, Recipient
from panorama.marketing.services.abtest import ab_decide, ab_due, ab_slot, variant_save
from panorama.marketing.services.campaigns import campaign_save
from panorama.marketing.services.segments import segment_save
from panorama.marketing.services.templates import template_save

from .conftest import person

pytestmark = pytest.mark.django_db

RULES = {"field": "holding", "op": "has", "value": "ACC-NOM"}
NAMES = [f"Cliente{n} Prueba" for n in range(1, 21)]


@pytest.fixture
def tested(db, marketer):
    customers = [person(name, email_address=f"c{n}@example.com") for n, name in enumerate(NAMES)]
    segment = segment_save(by=marketer, name="Cuentas", rules=RULES)
    offer = template_save(
        by=marketer,
        name="Oferta",
        subject_es="Oferta para {{ first_name }}",
        body_es="Mira https://banco.example/oferta",
    )
    other = template_save(
        by=marketer, name="Otra", subject_es="Otra oferta", body_es="Aquí https://banco.example/b"
    )
    campaign = campaign_save(
        by=marketer,
        changes={
            "name": "Prueba A/B",
            "segment": segment.pk,
            "template": offer.pk,
            "control_percent": 0,
            "ab_percent": 50,
            "ab_metric": "clicks",
            "ab_wait_hours": 2,
        },
    )
    a = variant_save(by=marketer, campaign=campaign, label="A", template=offer)
    b = variant_save(
        by=marketer, campaign=campaign, label="B", template=other, subject="¡{{ first_name }}!"
    )
    return {"campaign": campaign, "customers": customers, "a": a, "b": b}


def test_the_test_share_gets_its_variants_and_the_winner_goes_to_the_rest(
    tested, marketer, smtp, launch, client, emitted, django_capture_on_commit_callbacks
):
    campaign = tested["campaign"]
    launch(by=marketer, campaign=campaign)
    campaign.refresh_from_db()
    # Reproducible: the draw is the seed's, customer by customer.
    expected = {c.pk: ab_slot(campaign.control_seed, c.pk, 50, 2) for c in tested["customers"]}
    in_test = {cid: slot for cid, slot in expected.items() if slot is not None}
    assert 0 < len(in_test) < 20
    assert len(smtp.messages) == len(in_test)
    rows = {r.customer_id: r for r in Recipient.objects.filter(campaign=campaign)}
    for cid, slot in expected.items():
        if slot is None:
            assert rows[cid].status == Recipient.Status.WAITING
        else:
            assert rows[cid].variant == [tested["a"], tested["b"]][slot]
            message = smtp.to(rows[cid].email)[0]
            first = rows[cid].customer.first_name
            subject = f"Oferta para {first}" if slot == 0 else f"¡{first}!"
            assert message["Subject"] == subject
    assert campaign.status == Campaign.Status.SENDING  # the rest waits for the winner
    assert campaign.ab_decide_at is not None
    # One customer of B clicks; nobody of A does.
    b_row = next(rows[c] for c, s in in_test.items() if s == 1)
    text = smtp.to(b_row.email)[0].get_body(("plain",)).get_content()
    click = re.search(r"https://crm\.example\.com(/marketing/c/\S+)", text).group(1)
    assert client.get(click).status_code == 302

    assert ab_due() == []  # not over yet
    with pytest.raises(Conflict):
        ab_decide(campaign_id=campaign.pk)
    later = timezone.now() + datetime.timedelta(hours=3)
    assert ab_due(later) == [campaign.pk]
    smtp.messages.clear()
    with emitted() as events:  # the worker's decision, then the sending it queues
        winner = ab_decide(campaign_id=campaign.pk, now=later)
    assert winner == tested["b"]
    assert [p["label"] for n, p in events if n == "campaign.ab_decided"] == ["B"]
    waiting = [cid for cid, slot in expected.items() if slot is None]
    assert len(smtp.messages) == len(waiting)
    assert all(m["Subject"].startswith("¡") for m in smtp.emails)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and campaign.ab_winner == winner
    # The report: each variant's test figures, the winner marked.
    figures = {f["label"]: f for f in selectors_variants(campaign)}
    assert figures["B"]["winner"] and not figures["A"]["winner"]
    assert figures["B"]["clicked"] == 1 and figures["A"]["clicked"] == 0
    assert figures["B"]["sent"] == sum(1 for s in in_test.values() if s == 1)
    assert figures["B"]["sent_total"] == figures["B"]["sent"] + len(waiting)
    client.force_login(marketer)
    page = client.get(reverse("marketing:campaign_detail", args=[campaign.pk])).content.decode()
    assert 'data-variant="B" class="table-success"' in page and "data-winner" in page
    with pytest.raises(Conflict):
        ab_decide(campaign_id=campaign.pk, now=later)


def selectors_variants(campaign):
    from panorama.marketing.services.abtest import variant_figures

    return variant_figures(campaign)


def test_bad_ab_tests_are_refused_with_the_field_named(tested, marketer, world, launch, smtp):
    campaign, offer = tested["campaign"], tested["a"].template
    with pytest.raises(ValidationFailed) as bad:
        variant_save(by=marketer, campaign=campaign, label="a", template=offer)
    assert bad.value.field == "label"  # A exists already (case does not matter)
    with pytest.raises(ValidationFailed) as bad:
        variant_save(
            by=marketer, campaign=campaign, label="C", template=offer, subject="{{ nombre }}"
        )
    assert bad.value.field == "subject" and "nombre" in bad.value.message
    with pytest.raises(ValidationFailed) as bad:
        campaign_save(by=marketer, campaign=campaign, changes={"ab_percent": 80})
    assert bad.value.field == "ab_percent"
    campaign.refresh_from_db()
    with pytest.raises(ValidationFailed) as bad:
        campaign_save(by=marketer, campaign=campaign, changes={"ab_metric": "revenue"})
    assert bad.value.field == "ab_metric"
    campaign.refresh_from_db()
    tested["b"].delete()
    with pytest.raises(ValidationFailed) as bad:
        launch(by=marketer, campaign=campaign)
    assert bad.value.field == "ab_percent" and not smtp.messages
    variant_save(by=marketer, campaign=campaign, label="B", template=offer, subject="Hola")
    launch(by=marketer, campaign=campaign)
    with pytest.raises(Conflict):
        variant_save(by=marketer, campaign=campaign, label="C", template=offer)


def test_the_api_adds_variants_reports_them_and_ends_the_test_early(
    world, marketer, api_as, smtp, django_capture_on_commit_callbacks
):
    api = api_as(marketer)
    segment = segment_save(by=marketer, name="Cuentas", rules=RULES)
    template = api.post(
        "/marketing/templates",
        json={"name": "T", "subject_es": "Hola", "body_es": "Hola {{ first_name }}"},
    ).json()
    created = api.post(
        "/marketing/campaigns",
        json={
            "name": "API A/B",
            "segment_id": segment.pk,
            "template_id": template["id"],
            "control_percent": 0,
            "ab_percent": 50,
            "ab_metric": "opens",
        },
    ).json()
    url = f"/marketing/campaigns/{created['id']}"
    assert created["ab_percent"] == 50
    for label, subject in (("A", "Hola"), ("B", "Buenas {{ first_name }}")):
        made = api.post(
            f"{url}/variants",
            json={"label": label, "template_id": template["id"], "subject": subject},
        )
        assert made.status_code == 201
    bad = api.post(f"{url}/variants", json={"label": "C", "template_id": 999999})
    assert bad.status_code == 422 and bad.json()["errors"].get("template")
    assert [v["label"] for v in api.get(f"{url}/variants").json()] == ["A", "B"]
    early = api.post(f"{url}/ab/decide")
    assert early.status_code == 409  # not launched
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"{url}/launch").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        decided = api.post(f"{url}/ab/decide")
    assert decided.status_code == 200 and decided.json()["label"] == "A"  # a tie: the first
    results = api.get(f"{url}/results").json()
    assert [v["label"] for v in results["variants"] if v["winner"]] == ["A"]
    assert results["pending"] == 0 and results["sent"] == 4  # those who consent
    assert api.delete(f"{url}/variants/{results['variants'][1]['id']}").status_code == 409


def test_the_campaign_page_sets_up_the_test(world, marketer, client):
    segment = segment_save(by=marketer, name="Cuentas", rules=RULES)
    template = template_save(by=marketer, name="T", subject_es="Hola", body_es="Hola")
    client.force_login(marketer)
    created = client.post(
        reverse("marketing:campaign_new"),
        {
            "name": "Página A/B",
            "channel": "email",
            "segment": segment.pk,
            "template": template.pk,
            "control_percent": 10,
            "budget": 0,
            "cost": 0,
            "ab_percent": 20,
            "ab_metric": "clicks",
            "ab_wait_hours": 4,
        },
    )
    campaign = Campaign.objects.get(name="Página A/B")
    assert created.status_code == 302
    assert (campaign.ab_percent, campaign.ab_metric, campaign.ab_wait_hours) == (20, "clicks", 4)
    url = reverse("marketing:variant_add", args=[campaign.pk])
    for label in ("A", "B"):
        client.post(url, {"label": label, "template": template.pk, "subject": ""})
    bad = client.post(url, {"label": "C", "template": template.pk, "subject": "{{ nombre }}"})
    assert bad.status_code == 422 and "nombre" in bad.content.decode()
    page = client.get(reverse("marketing:campaign_detail", args=[campaign.pk])).content.decode()
    assert 'data-variant="A"' in page and 'data-variant="B"' in page
    assert "20% of the target group, winner by clicks after 4 h" in page
    b = campaign.variants.get(label="B")
    client.post(reverse("marketing:variant_remove", args=[campaign.pk, b.pk]))
    assert list(campaign.variants.values_list("label", flat=True)) == ["A"]


def test_a_test_that_reached_everyone_still_waits_for_its_winner(
    db, marketer, launch, smtp, django_capture_on_commit_callbacks
):
    """A small audience may draw every recipient into the test share: nobody waits for
    the winner, yet the test is not over: the campaign stays sending until the winner is
    chosen, then it is sent."""
    customers = [
        person(name, email_address=f"c{n}@example.com") for n, name in enumerate(NAMES[:3])
    ]
    segment = segment_save(by=marketer, name="Cuentas", rules=RULES)
    offer = template_save(by=marketer, name="Oferta", subject_es="Oferta", body_es="Hola")
    campaign = campaign_save(
        by=marketer,
        changes={
            "name": "Prueba A/B",
            "segment": segment.pk,
            "template": offer.pk,
            "control_percent": 0,
            "ab_percent": 50,
            "ab_metric": "opens",
        },
    )
    variant_save(by=marketer, campaign=campaign, label="A", template=offer)
    variant_save(by=marketer, campaign=campaign, label="B", template=offer, subject="Otra")
    campaign.control_seed = next(
        seed
        for seed in range(10_000)
        if all(ab_slot(seed, customer.pk, 50, 2) is not None for customer in customers)
    )
    campaign.save(update_fields=["control_seed"])
    launch(by=marketer, campaign=campaign)
    campaign.refresh_from_db()
    assert not Recipient.objects.filter(campaign=campaign, status=Recipient.Status.WAITING)
    assert campaign.status == Campaign.Status.SENDING and len(smtp.messages) == 3
    with django_capture_on_commit_callbacks(execute=True):
        winner = ab_decide(campaign_id=campaign.pk, by=marketer)
    campaign.refresh_from_db()
    assert campaign.ab_winner == winner and campaign.status == Campaign.Status.SENT
