"""The screen pop's bench figure: a PBX event posted to the webhook → the agent's open
stream (server-sent events, through granian like production) delivers the pop. The
agent's page is a plain HTTP client reading the stream; the figure is the p50 of the
time from sending the webhook request to reading the "call" event."""

import http.client
import json
import time
import uuid
from urllib.parse import urlsplit

from panorama.accounts.models import Role, User
from panorama.customers.models import Identity
from panorama.service.models import Extension, Pbx
from panorama.service.services.pbx_requests import signature_for

from . import measure
from .cases import session_connection

AGENT = "bench-agent"
EXTENSION = "9001"


def pbx_ready() -> tuple[Pbx, User, str]:
    """The bench's PBX, its agent with an extension, and a phone of a customer."""
    pbx, _created = Pbx.objects.get_or_create(name="Bench PBX")
    agent = User.objects.filter(username=AGENT).first()
    if agent is None:
        agent = User(username=AGENT, role=Role.SERVICE_AGENT, first_name="Bench", last_name="Agent")
        agent.set_unusable_password()
        agent.save()
    Extension.objects.get_or_create(pbx=pbx, number=EXTENSION, defaults={"user": agent})
    phone = (
        Identity.objects.filter(kind="phone").order_by("id").values_list("value", flat=True).first()
    )
    return pbx, agent, phone or "+34600000000"


class Stream:
    """An open ``/service/calls/stream/`` read event by event."""

    def __init__(self, base_url: str, cookie: str):
        parts = urlsplit(base_url)
        self.conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        self.conn.request(
            "GET",
            "/service/calls/stream/",
            headers={"Cookie": cookie, "Accept": "text/event-stream"},
        )
        self.response = self.conn.getresponse()
        if self.response.status != 200:
            raise RuntimeError(f"stream answered {self.response.status}")

    def next_event(self) -> tuple[str, dict]:
        name, data = "", ""
        while True:
            line = self.response.fp.readline().decode()
            if not line:
                raise RuntimeError("the stream ended")
            line = line.rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif line == "" and name:
                return name, json.loads(data or "{}")

    def close(self) -> None:
        self.conn.close()


def screen_pop(base_url: str, requests: int = 30) -> float:
    """p50 ms from posting a ringing event to reading its pop on the agent's stream."""
    pbx, agent, phone = pbx_ready()
    cookie = session_connection(base_url, agent).headers["Cookie"]
    poster = measure.Connection(base_url, "")
    times: list[float] = []
    stream = Stream(base_url, cookie)
    try:
        name, _hello = stream.next_event()
        if name == "poll":
            raise RuntimeError("no stream slot: the server asked to poll")
        run = uuid.uuid4().hex[:8]
        for n in range(requests):
            body = json.dumps(
                {
                    "event": "ringing",
                    "call_id": f"bench-{run}-{n}",
                    "caller": phone,
                    "extension": EXTENSION,
                }
            ).encode()
            started = time.perf_counter()
            poster.conn.request(
                "POST",
                f"/api/v1/telephony/{pbx.pk}/events",
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Panorama-Signature": signature_for(pbx.secret, body),
                },
            )
            answer = poster.conn.getresponse()
            answer.read()
            if answer.status != 201:
                raise RuntimeError(f"webhook answered {answer.status}")
            while True:
                name, data = stream.next_event()
                if name == "call" and data.get("kind") == "ringing":
                    break
            times.append((time.perf_counter() - started) * 1000)
            poster.conn.request(
                "POST",
                f"/api/v1/telephony/{pbx.pk}/events",
                body=(
                    ended := json.dumps({"event": "ended", "call_id": f"bench-{run}-{n}"}).encode()
                ),
                headers={
                    "Content-Type": "application/json",
                    "X-Panorama-Signature": signature_for(pbx.secret, ended),
                },
            )
            poster.conn.getresponse().read()
    finally:
        stream.close()
        poster.close()
    return round(measure.p50(times), 1)
