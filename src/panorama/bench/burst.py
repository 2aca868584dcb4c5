"""The staff UI during a burst of web events (issue 11: "a burst of events must not slow
the staff UI").

A signed-in user opens a customer's ficha (the showcase's, the richest one) ``requests``
times, one after the other, through the production server: first with the server idle,
then while ``clients`` web visitors post batches of tracked events (20 each, one named
event emitted for the rules, as ``automation.web_events_per_second`` does) to the public
endpoint as fast as it answers them. The figures are the ficha's p50 and p95 in both
states, and the events stored per second during the burst (the burst really happened).

The visitors are threads of this process on a pre-encoded body, so the load generator
takes little of the CPU it shares with the server; the events it stored are deleted.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.urls import reverse

from panorama.accounts.models import User
from panorama.automation.models import WebEvent, WebVisitor

from . import measure
from .automation import BATCH, ORIGIN, _site
from .cases import session_connection

KEYS = (
    "staff_ui_p50_idle_ms",
    "staff_ui_p95_idle_ms",
    "staff_ui_p50_burst_ms",
    "staff_ui_p95_burst_ms",
    "staff_ui_burst_events_per_s",
)


class _Burst:
    """``clients`` visitors posting batches of events until ``stop``."""

    def __init__(self, base_url: str, path: str, clients: int):
        self.base = urlsplit(base_url)
        self.path = path
        self.stored = [0] * clients
        self.errors: list[str] = []
        self.running = threading.Event()
        self.ready = threading.Barrier(clients + 1)
        self.threads = [threading.Thread(target=self._client, args=(n,)) for n in range(clients)]

    def _client(self, number: int) -> None:
        conn = http.client.HTTPConnection(self.base.hostname or "", self.base.port, timeout=30)
        events: list[dict[str, Any]] = [
            {"name": "page_view", "url": f"{ORIGIN}/p/{n}"} for n in range(BATCH - 1)
        ]
        events.append({"name": "bench_burst", "url": f"{ORIGIN}/p", "data": {"n": number}})
        visitor = f"burst-{uuid.uuid4().hex[:12]}-{number}"
        body = json.dumps({"visitor": visitor, "events": events}).encode()
        headers = {"Content-Type": "text/plain", "Origin": ORIGIN}
        self.ready.wait()
        try:
            while self.running.is_set():
                conn.request("POST", self.path, body=body, headers=headers)
                answer = conn.getresponse()
                answer.read()
                if answer.status != 202:
                    self.errors.append(str(answer.status))
                    return
                self.stored[number] += BATCH
        finally:
            conn.close()

    def __enter__(self) -> _Burst:
        self.running.set()
        for thread in self.threads:
            thread.start()
        self.ready.wait()
        self.began = time.perf_counter()
        time.sleep(0.5)  # the burst under way before the first page is timed
        return self

    def __exit__(self, *exc: object) -> None:
        self.running.clear()
        for thread in self.threads:
            thread.join()
        self.seconds = time.perf_counter() - self.began


def staff_ui_under_burst(
    base_url: str, user: User, customer_id: int, *, requests: int, clients: int = 8
) -> dict:
    """The ficha's p50/p95 (ms) idle and during a burst of ``clients`` tracking clients."""
    site = _site()
    track = reverse("automation:track", args=[site.public_key])
    ficha = reverse("customers:detail", args=[customer_id])
    client = session_connection(base_url, user)
    try:
        idle, _q = measure.timed(client, [measure.get(ficha)] * requests)
        with _Burst(base_url, track, clients) as burst:
            # No second warm-up: the pages are warm, the burst is what is measured.
            busy = _timed_now(client, ficha, requests, burst)
    finally:
        client.close()
        WebEvent.objects.filter(site=site).delete()
        WebVisitor.objects.filter(site=site).delete()
    if burst.errors:
        raise RuntimeError(f"the tracking endpoint answered {burst.errors[0]} during the burst")
    return {
        "staff_ui_p50_idle_ms": round(measure.p50(idle), 2),
        "staff_ui_p95_idle_ms": round(measure.percentile(idle, 95), 2),
        "staff_ui_p50_burst_ms": round(measure.p50(busy), 2),
        "staff_ui_p95_burst_ms": round(measure.percentile(busy, 95), 2),
        "staff_ui_burst_events_per_s": round(sum(burst.stored) / burst.seconds)
        if burst.seconds
        else 0,
    }


def _timed_now(client: measure.Connection, path: str, requests: int, burst: _Burst) -> list:
    times = []
    for _ in range(requests):
        if burst.errors:
            break
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} -> {response.status_code} during the burst")
    return times


def measure_all(
    base_url: str, user: User, customer_id: int, requests: int, clients: int, say: Callable
) -> dict:
    say(f"Measuring the ficha idle and during a burst of {clients} tracking clients...")
    return staff_ui_under_burst(base_url, user, customer_id, requests=requests, clients=clients)
