"""The automation figures.

``web_events_per_s``: tracked web events stored per second through the production
server, ``clients`` browsers posting batches of 20 (one named event in each, emitted for
the rules) to the public endpoint for ``seconds``.

``rule_eval_events_per_s``: ``web.event_tracked`` events evaluated per second against
50 active rules on that event (conditions on the event's data and the customer; a few
match and raise an alert), through the outbox's delivery to the rules, each run
logged. The events are emitted first, in transactions of 500; only the delivery is
timed.
"""

import http.client
import json
import threading
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction

from panorama.automation.actions import actions_validate
from panorama.automation.conditions import conditions_validate
from panorama.automation.engine import SUBSCRIBER, rules_forget
from panorama.automation.models import (
    Alert,
    EventCheck,
    Rule,
    RuleRun,
    TrackedSite,
    WebEvent,
    WebVisitor,
)
from panorama.core import outbox
from panorama.core.events import emit
from panorama.core.models import OutboxDelivery, OutboxEvent
from panorama.customers.models import Customer

ORIGIN = "https://bench.example"
BATCH = 20
RULES = 50


def _site() -> TrackedSite:
    site = TrackedSite.objects.filter(name="Bench").first()
    if site is None:
        site = TrackedSite.objects.create(name="Bench", origins=ORIGIN, rate_per_minute=10**8)
    return site


def web_events_per_second(base_url: str, *, clients: int = 8, seconds: float = 10.0) -> float:
    site = _site()
    parts = urlsplit(base_url)
    path = f"/automation/track/{site.public_key}/"
    stored = [0] * clients
    errors: list[str] = []
    deadline = [0.0]
    start = threading.Barrier(clients + 1)

    def client(number: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        visitor = f"bench-{uuid.uuid4().hex[:12]}-{number}"
        events: list[dict[str, Any]] = [
            {"name": "page_view", "url": f"{ORIGIN}/p/{n}"} for n in range(BATCH - 1)
        ]
        events.append({"name": "bench_click", "url": f"{ORIGIN}/p", "data": {"n": number}})
        body = json.dumps({"visitor": visitor, "events": events}).encode()
        headers = {"Content-Type": "text/plain", "Origin": ORIGIN}
        start.wait()
        try:
            while time.perf_counter() < deadline[0]:
                conn.request("POST", path, body=body, headers=headers)
                answer = conn.getresponse()
                answer.read()
                if answer.status != 202:
                    errors.append(str(answer.status))
                    return
                stored[number] += BATCH
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"the tracking endpoint answered {errors[0]}")
    WebEvent.objects.filter(site=site).delete()
    WebVisitor.objects.filter(site=site).delete()
    return round(sum(stored) / elapsed) if elapsed else 0.0


def _rules(owner_ids: list[int]) -> list[Rule]:
    rules = []
    for n in range(RULES):
        conditions = {
            "all": [
                {"field": "event.name", "op": "eq", "value": f"bench_{n % 10}"},
                {"field": "event.data.amount", "op": "gte", "value": 1000 * (n % 7)},
                {
                    "any": [
                        {"field": "customer.status", "op": "ne", "value": "inactive"},
                        {"field": "holdings.count", "op": "gte", "value": 1},
                    ]
                },
            ]
        }
        actions = [{"type": "alert", "to": "owner", "title": f"Bench {n}"}] if n < 2 else []
        rules.append(
            Rule(
                name=f"Bench rule {n}",
                event="web.event_tracked",
                conditions=conditions_validate(conditions, event="web.event_tracked"),
                actions=actions_validate(actions),
            )
        )
    Rule.objects.bulk_create(rules)
    rules_forget()
    return list(Rule.objects.filter(name__startswith="Bench rule "))


def rule_events_per_second(count: int = 4_000) -> float:
    customers = list(
        Customer.objects.filter(owner__isnull=False).values_list("pk", flat=True)[:200]
    )
    if not customers:
        raise RuntimeError("no customer with an owner in the bench database")
    subscriber = next(s for s in outbox.durable_subscribers() if s.name == SUBSCRIBER)
    rules = _rules(customers)
    last_check = EventCheck.objects.order_by("-id").values_list("id", flat=True).first() or 0
    try:
        for begin in range(0, count, 500):
            with transaction.atomic():
                for n in range(begin, min(begin + 500, count)):
                    emit(
                        "web.event_tracked",
                        site_id=1,
                        name=f"bench_{n % 12}",
                        customer_id=customers[n % len(customers)],
                        visitor=f"bench-{n}",
                        data={"amount": (n * 37) % 9000},
                    )
        began = time.perf_counter()
        # This subscriber's deliveries only (others may listen to the same event).
        done = 0
        while True:
            read = outbox._dispatch_batch(subscriber, outbox.BATCH, outbox.timezone.now())
            done += read
            if read < outbox.BATCH:
                break
        seconds = time.perf_counter() - began
    finally:
        Alert.objects.filter(rule__in=rules).delete()
        RuleRun.objects.filter(rule__in=rules).delete()
        EventCheck.objects.filter(id__gt=last_check, event="web.event_tracked").delete()
        Rule.objects.filter(pk__in=[r.pk for r in rules]).delete()
        rules_forget()
        OutboxDelivery.objects.filter(
            subscriber=SUBSCRIBER, event__name="web.event_tracked"
        ).delete()
        OutboxEvent.objects.filter(deliveries__isnull=True).delete()
    return round(done / seconds) if seconds else 0.0


def measure_all(base_url: str, clients: int, say) -> dict:
    say(f"Measuring web tracking ingestion ({clients} clients)...")
    web = web_events_per_second(base_url, clients=clients)
    say(f"Measuring rule evaluation ({RULES} rules)...")
    return {"web_events_per_s": web, "rule_eval_events_per_s": rule_events_per_second()}
