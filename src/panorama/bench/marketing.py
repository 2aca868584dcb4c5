"""The bench's marketing figures, in process:

- ``segment_count_ms``: the issue's 3-condition segment (a current account, NO credit
  card, not contacted in 90 days: a holding, a holding's absence and a recency
  condition) validated, compiled and counted over every customer, median of 5.
- ``campaign_send_per_s``: personalised e-mails (merge fields, a conditional block,
  tracked links, the pixel, RFC 8058 headers) rendered, checked for consent at send
  time, handed to a local SMTP server (aiosmtpd on loopback, in a process of its own as
  a company's mail server is: ``smtp_sink``) and ledgered with their
  timeline entry, unthrottled.
- ``unsubscribe_p50_ms``: the one-click POST of the unsubscribe link through the view
  (token check, consent withdrawal through the customers' service, timeline, event).

Everything the run wrote (campaign, ledger, timeline entries, withdrawals) is removed
afterwards, so the bench database stays the same from run to run."""

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from panorama.channels.models import Interaction
from panorama.customers.models import Consent, Customer, Identity

from . import measure

EXAMPLE_RULES = {
    "op": "and",
    "rules": [
        {"field": "holding", "op": "has", "value": ["ACC-NOM", "ACC-ONL"]},
        {"field": "holding", "op": "has_not", "value": "CARD-CR"},
        {"field": "contacted", "op": "not_within_days", "value": 90},
    ],
}
COUNTS = 5
MESSAGES = 1000
UNSUBSCRIBES = 100
BODY = (
    "Hola {{ first_name }}:\n\n{% if 'CARD-CR' in products %}Gracias por usar tu tarjeta."
    "{% else %}Pide tu Tarjeta Oro: https://banco.example/tarjeta-oro{% endif %}\n\n"
    "Un saludo desde {{ city|default:'tu oficina' }}."
)


def segment_count_ms() -> tuple[float, int]:
    from panorama.marketing.selectors import segment_count

    times, count = [], 0
    for _ in range(COUNTS):
        started = time.perf_counter()
        count = segment_count(user=None, rules=EXAMPLE_RULES)
        times.append((time.perf_counter() - started) * 1000)
    return measure.p50(times), count


class _Sink:
    """The counting SMTP server of ``smtp_sink``, in its own process."""

    def __init__(self, port: int) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (this interpreter, a module of ours)
            [sys.executable, "-m", "panorama.bench.smtp_sink", str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None and self.process.stdin is not None
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the bench's SMTP server did not start")

    @property
    def count(self) -> int:
        assert self.process.stdout is not None and self.process.stdin is not None
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def campaign_and_unsubscribe(messages: int = MESSAGES, unsubscribes: int = UNSUBSCRIBES):
    """(e-mails per second, unsubscribe p50 in ms, messages sent)."""
    from panorama.marketing.models import Campaign, MessageTemplate, Recipient, StaticList
    from panorama.marketing.rules import consent_granted
    from panorama.marketing.services.campaigns import campaign_launch, campaign_save
    from panorama.marketing.services.links import token_make
    from panorama.marketing.services.segments import list_create
    from panorama.marketing.services.sending import campaign_send
    from panorama.marketing.services.templates import template_save

    ids = list(
        Customer.objects.filter(merged_into__isnull=True)
        .filter(consent_granted(Consent.Purpose.MARKETING, Consent.Channel.EMAIL))
        .filter(pk__in=Identity.objects.filter(kind=Identity.Kind.EMAIL).values("customer_id"))
        .order_by("pk")
        .values_list("pk", flat=True)[:messages]
    )
    run = uuid.uuid4().hex[:8]
    port = _free_port()
    sink = _Sink(port)
    started_consents = Consent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    static_list = template = campaign = None
    try:
        static_list = list_create(by=None, name=f"bench {run}", customer_ids=ids)
        template = template_save(
            by=None,
            name=f"bench {run}",
            subject_es="{{ first_name }}, una oferta para ti",
            body_es=BODY,
        )
        campaign = campaign_save(
            by=None,
            changes={
                "name": f"bench {run}",
                "static_list": static_list,
                "template": template,
                "control_percent": 0,
            },
        )
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
        ):
            campaign_launch(by=None, campaign=campaign)  # its task: the dummy backend
            reverse("marketing:open", args=["warm"])  # the URL conf loads outside the timing
            began = time.perf_counter()
            counts = campaign_send(campaign_id=campaign.pk, rate=0)
            elapsed = time.perf_counter() - began
        received = sink.count
        if counts["sent"] != len(ids) or received != len(ids):
            raise RuntimeError(f"the bench campaign sent {counts} ({received} received)")
        client = Client()
        recipients = list(
            Recipient.objects.filter(campaign=campaign, status="sent").values_list("pk", flat=True)[
                :unsubscribes
            ]
        )
        times = []
        for rid in recipients:
            url = f"/marketing/u/{token_make(rid, 'unsubscribe')}/"
            began_one = time.perf_counter()
            answer = client.post(url, {"List-Unsubscribe": "One-Click"})
            times.append((time.perf_counter() - began_one) * 1000)
            if answer.status_code != 200:
                raise RuntimeError(f"the bench unsubscribe answered {answer.status_code}")
        return len(ids) / elapsed, measure.p50(times) if times else None, len(ids)
    finally:
        sink.stop()
        if campaign is not None:
            recipient_type = ContentType.objects.get_for_model(Recipient)
            Interaction.objects.filter(
                related_type=recipient_type,
                related_id__in=Recipient.objects.filter(campaign=campaign).values("pk"),
            ).delete()
            Consent.objects.filter(
                pk__gt=started_consents, granted=False, customer_id__in=ids
            ).delete()
            Campaign.objects.filter(pk=campaign.pk).delete()  # its ledger goes with it
        if template is not None:
            MessageTemplate.objects.filter(pk=template.pk).delete()
        if static_list is not None:
            StaticList.objects.filter(pk=static_list.pk).delete()


def measure_all(say: Callable[[str], None]) -> dict:
    say("Measuring the segment count (account, no credit card, not contacted in 90 days)...")
    count_ms, count = segment_count_ms()
    say(f"  {count:,} customers in the segment")
    say(f"Measuring a campaign ({MESSAGES} personalised e-mails to a local SMTP server)...")
    per_s, unsubscribe_ms, _sent = campaign_and_unsubscribe()
    return {
        "segment_count_ms": round(count_ms, 2),
        "segment_count_customers": count,
        "campaign_send_per_s": round(per_s),
        "unsubscribe_p50_ms": round(unsubscribe_ms, 2) if unsubscribe_ms is not None else None,
    }
