"""A campaign keeps several SMTP connections busy at once (``PANORAMA_MAIL_CONNECTIONS``):
a slow mail server receives the messages over more than one connection, each recipient
gets his message exactly once, a refused message is retried on a fresh connection, and
the ledger records every one, in the order they were handed over."""

import pytest

from panorama.marketing.models import Recipient
from panorama.marketing.services.sending import campaign_send

from .test_sending_batch import _campaign

pytestmark = pytest.mark.django_db


def test_a_campaign_goes_out_over_several_connections_once_each(marketer, smtp, settings):
    settings.PANORAMA_MAIL_CONNECTIONS = 3
    smtp.delay = 0.05  # a busy server: one connection alone would wait on each message
    smtp.refuse = 2  # and two temporary refusals on the way
    campaign = _campaign(marketer, "par", 12)
    counts = campaign_send(campaign_id=campaign.pk, rate=0, batch=200)
    assert counts == {"sent": 12, "skipped": 0, "failed": 0}
    assert len(smtp.peers) > 1
    received = sorted(address for message in smtp.messages for address in message.rcpt_tos)
    assert received == sorted(f"par{n}@example.com" for n in range(12))
    rows = list(Recipient.objects.filter(campaign=campaign).order_by("sent_at", "pk"))
    assert {row.status for row in rows} == {Recipient.Status.SENT}
    # The two refused messages took a second attempt; each message's id is the one sent.
    assert sorted(row.attempts for row in rows) == [1] * 10 + [2, 2]
    assert {row.message_id for row in rows} == {m.message["Message-ID"] for m in smtp.messages}


def test_one_connection_sends_one_message_after_the_other(marketer, smtp, settings):
    settings.PANORAMA_MAIL_CONNECTIONS = 1
    campaign = _campaign(marketer, "uno", 5)
    counts = campaign_send(campaign_id=campaign.pk, rate=0, batch=200)
    assert counts["sent"] == 5 and len(smtp.messages) == 5
    assert len(smtp.peers) == 1
