"""Throttling: a campaign sent at a rate of N messages a second hands them to the real
SMTP server no faster. Nothing is patched: the ledger's sent_at is the moment each
message was handed over, so their spread shows the pace kept (a lower bound, never an
upper one, so a slow machine cannot fail it)."""

import datetime

import pytest

from panorama.marketing.services.campaigns import campaign_save
from panorama.marketing.services.segments import segment_save
from panorama.marketing.services.templates import template_save

from .conftest import EXAMPLE_RULES, person

pytestmark = pytest.mark.django_db

RATE = 20  # messages a second


def test_a_campaign_is_sent_no_faster_than_its_rate(marketer, smtp, settings, launch):
    settings.PANORAMA_CAMPAIGN_RATE = RATE
    for n in range(6):
        person(f"Cliente R{n}", email_address=f"r{n}@example.com")
    segment = segment_save(by=marketer, name="Cuentas", rules=EXAMPLE_RULES)
    template = template_save(by=marketer, name="T", subject_es="Hola", body_es="Hola")
    campaign = campaign_save(
        by=marketer,
        changes={
            "name": "Al ritmo",
            "segment": segment.pk,
            "template": template.pk,
            "control_percent": 0,
        },
    )
    launch(by=marketer, campaign=campaign)  # the sending task runs with the setting's rate
    times = sorted(campaign.recipients.filter(status="sent").values_list("sent_at", flat=True))
    assert len(times) == 6 and len(smtp.emails) == 6
    # Message n went no sooner than n / RATE seconds after the first (1 ms for the clock's
    # rounding to microseconds).
    slack = datetime.timedelta(milliseconds=1)
    for n, at in enumerate(times):
        assert at - times[0] >= datetime.timedelta(seconds=n / RATE) - slack
