"""The bench's marketing figures on small data: the segment counted, e-mails sent to a
local SMTP server, unsubscribes through the view, the keys written to the JSON, and
nothing of the run left behind."""

import pytest

from panorama.bench import marketing as bench_marketing
from panorama.bench.parts import JSON_KEYS
from panorama.channels.models import Interaction
from panorama.customers.models import Consent
from panorama.marketing.models import Campaign, MessageTemplate, Recipient, StaticList
from tests.marketing.conftest import person

pytestmark = pytest.mark.django_db


def test_the_marketing_figures_are_measured_and_leave_nothing_behind(monkeypatch):
    monkeypatch.setattr(bench_marketing, "MESSAGES", 6)
    monkeypatch.setattr(bench_marketing, "UNSUBSCRIBES", 3)
    for n in range(8):
        person(f"Cliente B{n}", email_address=f"b{n}@example.com", consent=n < 6)
    # The personalised template tests the credit card's code, which a template may name
    # only when some customer or the catalogue has it (as every bench database does).
    person("Cliente Tarjeta", card=True)
    consents, interactions = Consent.objects.count(), Interaction.objects.count()
    out = bench_marketing.measure_all(lambda text: None)
    assert out["segment_count_customers"] == 8 and out["segment_count_ms"] > 0
    assert out["campaign_send_per_s"] > 0 and out["unsubscribe_p50_ms"] > 0
    assert not Campaign.objects.exists() and not Recipient.objects.exists()
    assert not MessageTemplate.objects.exists() and not StaticList.objects.exists()
    assert (Consent.objects.count(), Interaction.objects.count()) == (consents, interactions)


def test_the_keys_are_written_to_the_json():
    for key in ("segment_count_ms", "campaign_send_per_s", "unsubscribe_p50_ms"):
        assert key in JSON_KEYS
