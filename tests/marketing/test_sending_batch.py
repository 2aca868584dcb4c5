"""A campaign's sending costs a fixed number of queries per batch, whatever its size:
consents, addresses and merge fields read for the batch, the ledger written in bulk
(sent and skipped), the timeline entries and events inserted together; and every
recipient still gets his own ledger row, timeline entry and event."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.catalog.models import Product
from panorama.channels.models import Interaction
from panorama.marketing.models import Recipient
from panorama.marketing.services.campaigns import campaign_launch, campaign_save
from panorama.marketing.services.segments import list_create
from panorama.marketing.services.sending import campaign_send
from panorama.marketing.services.templates import template_save

from .conftest import person

pytestmark = pytest.mark.django_db

BODY = (
    "Hola {{ first_name }}:\n{% if 'CARD-CR' in products %}Gracias.{% else %}"
    "Pide tu tarjeta: https://banco.example/oro{% endif %}\n{{ city|default:'tu oficina' }}"
)


def _campaign(marketer, name, count, *, refusing=0):
    # The template tests a product: one the catalogue sells (checked when it is saved).
    Product.objects.get_or_create(
        sku="CARD-CR", defaults={"name": "Tarjeta de crédito", "list_price": 0}
    )
    people = [
        person(f"Cliente {name}{n}", email_address=f"{name}{n}@example.com") for n in range(count)
    ]
    people += [
        person(f"Sin {name}{n}", email_address=f"no{name}{n}@example.com", consent=False)
        for n in range(refusing)
    ]
    group = list_create(by=marketer, name=name, customer_ids=[p.pk for p in people])
    template = template_save(
        by=marketer, name=name, subject_es="{{ first_name }}, una oferta", body_es=BODY
    )
    campaign = campaign_save(
        by=marketer,
        changes={"name": name, "static_list": group, "template": template, "control_percent": 0},
    )
    campaign_launch(by=marketer, campaign=campaign)  # tasks at commit: not run in the test
    return campaign


def _send(campaign) -> int:
    with CaptureQueriesContext(connection) as queries:
        counts = campaign_send(campaign_id=campaign.pk, rate=0, batch=200)
    assert counts["failed"] == 0
    return len(queries)


def test_a_batch_of_4_or_40_recipients_costs_the_same_queries(marketer, smtp):
    small = _campaign(marketer, "a", 4, refusing=1)
    large = _campaign(marketer, "b", 40, refusing=10)
    few, many = _send(small), _send(large)
    # 25 messages ledgered per transaction: 40 sent is two commits where 4 is one, and a
    # commit is a few statements (savepoint, ledger UPDATE, timeline INSERT, the events'
    # outbox rows, release), never one per recipient: 36 more recipients, < 10 more.
    assert many - few < 10
    assert many < 40
    assert len(smtp.messages) == 44
    sent = Recipient.objects.filter(campaign=large, status="sent")
    assert sent.count() == 40 and all(r.sent_at and r.email for r in sent)
    skipped = Recipient.objects.filter(campaign=large, status="skipped")
    assert skipped.count() == 10 and {r.reason for r in skipped} == {"no_consent"}
    assert Interaction.objects.filter(subject__startswith="Campaign e-mail").count() == 44


def test_a_second_run_sends_nothing_again(marketer, smtp):
    campaign = _campaign(marketer, "c", 6)
    campaign_send(campaign_id=campaign.pk, rate=0)
    counts = campaign_send(campaign_id=campaign.pk, rate=0)
    assert counts == {"sent": 0, "skipped": 0, "failed": 0}
    assert len(smtp.messages) == 6
