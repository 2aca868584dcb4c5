"""What a campaign's sending stores does not depend on how it is written: sent through
the real SMTP server (tests/smtp.py), every ledger row, timeline entry and event is
what the record-at-a-time path gives (each field asserted, and the timeline entries
compared with ``interaction_record``'s, the public service for one contact); and the
writes of a batch cost the same statements for 5 messages as for 25."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panorama.catalog.models import Product
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.marketing.models import Recipient
from panorama.marketing.services.campaigns import campaign_launch, campaign_save
from panorama.marketing.services.segments import list_create
from panorama.marketing.services.sending import _record_sent, campaign_send
from panorama.marketing.services.templates import template_save

from .conftest import person

pytestmark = pytest.mark.django_db

BODY = "Hola {{ first_name }}:\nhttps://banco.example/oro\n{{ city|default:'tu oficina' }}"
# Every column a timeline entry has, but its own id and when it was written.
COLUMNS = [
    f.attname for f in Interaction._meta.concrete_fields if f.attname not in ("id", "created_at")
]


def _campaign(marketer, name, people):
    Product.objects.get_or_create(
        sku="CARD-CR", defaults={"name": "Tarjeta de crédito", "list_price": 0}
    )
    group = list_create(by=marketer, name=name, customer_ids=[p.pk for p in people])
    template = template_save(
        by=marketer, name=name, subject_es="{{ first_name }}, una oferta", body_es=BODY
    )
    campaign = campaign_save(
        by=marketer,
        changes={"name": name, "static_list": group, "template": template, "control_percent": 0},
    )
    campaign_launch(by=marketer, campaign=campaign)
    return campaign


def test_every_row_a_send_writes(marketer, smtp, settings, emitted):
    settings.PANORAMA_CAMPAIGN_ATTEMPTS = 1  # the refused one fails at once
    smtp.refused_domain = "refused.example"
    people = [person(f"Ana N{n}", email_address=f"ana{n}@example.com") for n in range(3)]
    people.append(person("Luis Inglés", language="en", email_address="luis@example.com"))
    refused = person("Rita Rechazo", email_address="rita@refused.example")
    silent = person("Sil Nunca", consent=False, email_address="sil@example.com")
    campaign = _campaign(marketer, "rows", [*people, refused, silent])
    began = timezone.now()
    with emitted() as events:
        counts = campaign_send(campaign_id=campaign.pk, rate=0)
    ended = timezone.now()
    assert counts == {"sent": 4, "skipped": 1, "failed": 1}

    by_customer = {r.customer_id: r for r in Recipient.objects.filter(campaign=campaign)}
    received = {m["To"]: m for m in smtp.emails}
    recipient_type = ContentType.objects.get_for_model(Recipient)
    for customer in people:
        row = by_customer[customer.pk]
        address = customer.identities.get(kind="email").value
        assert (row.status, row.reason, row.error, row.attempts) == ("sent", "", "", 1)
        assert row.email == address
        assert row.message_id == received[address]["Message-ID"]
        assert began <= row.sent_at <= ended
        entry = Interaction.objects.get(related_type=recipient_type, related_id=row.pk)
        subject = received[address]["Subject"]
        assert {c: getattr(entry, c) for c in COLUMNS} | {"occurred_at": None} == {
            "customer_id": customer.pk,
            "channel": "email",
            "direction": "outbound",
            "subject": f"Campaign e-mail: {subject}",
            "body": f"Campaign {campaign.name}",
            "outcome": "sent",
            "agent_id": None,
            "occurred_at": None,
            "duration_seconds": None,
            "related_type_id": recipient_type.pk,
            "related_id": row.pk,
            "metadata": {"campaign_id": campaign.pk},
            "failed": False,
            "retry_claimed_at": None,
        }
        assert row.sent_at <= entry.occurred_at <= ended
        assert began <= entry.created_at <= ended

    failed = by_customer[refused.pk]
    assert (failed.status, failed.attempts, failed.email) == ("failed", 1, "rita@refused.example")
    assert failed.error.startswith("SMTPRecipientsRefused")
    entry = Interaction.objects.get(related_type=recipient_type, related_id=failed.pk)
    assert (entry.failed, entry.outcome, entry.channel) == (True, "Not sent", "email")
    assert entry.metadata["campaign_id"] == campaign.pk
    assert entry.metadata["to"] == "rita@refused.example"
    skipped = by_customer[silent.pk]
    assert (skipped.status, skipped.reason, skipped.sent_at) == ("skipped", "no_consent", None)
    assert not Interaction.objects.filter(related_type=recipient_type, related_id=skipped.pk)

    # One "interaction.recorded" per timeline entry and one "campaign.sent" per message
    # accepted, in the order they were handed over.
    entries = Interaction.objects.filter(related_type=recipient_type).order_by("pk")
    recorded = [p for name, p in events if name == "interaction.recorded"]
    assert recorded == [
        {
            "customer_id": e.customer_id,
            "interaction_id": e.pk,
            "channel": "email",
            "direction": "outbound",
            "by": None,
        }
        for e in entries
    ]
    sent = [p for name, p in events if name == "campaign.sent"]
    assert sent == [
        {"campaign_id": campaign.pk, "customer_id": r.customer_id, "recipient_id": r.pk}
        for r in sorted((by_customer[p.pk] for p in people), key=lambda r: r.pk)
    ]


def _handed(campaign, count):
    rows = list(Recipient.objects.filter(campaign=campaign).order_by("pk")[:count])
    moment = timezone.now() - datetime.timedelta(seconds=1)
    for n, row in enumerate(rows):
        row.email, row.message_id, row.attempts, row.sent_at = f"x{n}@e.com", f"<{n}@e>", 1, moment
    return [(row, f"Oferta {n}") for n, row in enumerate(rows)]


def test_a_batchs_timeline_is_what_the_single_service_writes(marketer):
    people = [person(f"Eva N{n}", email_address=f"eva{n}@example.com") for n in range(3)]
    campaign = _campaign(marketer, "same", people)
    handed = _handed(campaign, 3)
    _record_sent(campaign, list(handed))
    written = {
        i.related_id: i
        for i in Interaction.objects.filter(related_id__in=[r.pk for r, _s in handed])
    }
    for row, subject in handed:
        one = interaction_record(
            customer_id=row.customer_id,
            by=None,
            channel="email",
            direction="outbound",
            subject=f"Campaign e-mail: {subject}",
            body=f"Campaign {campaign.name}",
            outcome="sent",
            related=row,
            metadata={"campaign_id": campaign.pk},
        )
        one.refresh_from_db()
        batch = written[row.pk]
        assert {c: getattr(batch, c) for c in COLUMNS if c != "occurred_at"} == {
            c: getattr(one, c) for c in COLUMNS if c != "occurred_at"
        }
        kept = (row.email, row.message_id, row.attempts, row.sent_at)
        row.refresh_from_db()
        assert row.status == "sent"
        assert (row.email, row.message_id, row.attempts, row.sent_at) == kept


def test_a_batchs_writes_cost_the_same_for_5_or_25_messages(marketer):
    people = [person(f"Ivo N{n}", email_address=f"ivo{n}@example.com") for n in range(31)]
    campaign = _campaign(marketer, "flat", people)
    handed = _handed(campaign, 31)
    _record_sent(campaign, handed[:1])  # the first: the content type read once, cached
    with CaptureQueriesContext(connection) as few:
        _record_sent(campaign, handed[1:6])
    with CaptureQueriesContext(connection) as many:
        _record_sent(campaign, handed[6:31])
    assert len(many) == len(few) <= 12
    stored = Recipient.objects.filter(campaign=campaign, status="sent")
    assert stored.count() == 31
    assert {r.sent_at for r in stored} == {handed[0][0].sent_at}
    assert Interaction.objects.filter(related_id__in=stored.values("pk")).count() == 31
