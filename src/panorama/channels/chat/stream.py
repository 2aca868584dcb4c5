"""Server-sent events for chats, on the screen pop's mechanism (service/views/calls.py):
the stream polls a database table by id (``ChatMessage``, one indexed query every
``POLL_SECONDS``), so a message written by another process reaches the page on SQLite
or PostgreSQL without Redis. A request holds a server thread for its life, so streams
are bounded per process (``PANORAMA_CHAT_STREAMS``: the next page is told to poll) and
in time (``PANORAMA_CALL_STREAM_SECONDS``, then the browser reconnects with
``Last-Event-ID``)."""

import json
import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

log = logging.getLogger("panorama.chat")
POLL_SECONDS = 0.1
KEEPALIVE_SECONDS = 2

_lock = threading.Lock()
_open = 0


def _take() -> bool:
    global _open
    with _lock:
        if _open >= settings.PANORAMA_CHAT_STREAMS:
            return False
        _open += 1
        return True


def _give() -> None:
    global _open
    with _lock:
        _open = max(0, _open - 1)


def sse(event: str, data: dict | None = None, event_id: int | None = None) -> str:
    lines = [f"event: {event}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data or {}))
    return "\n".join(lines) + "\n\n"


def start_after(request) -> int:
    for raw in (request.headers.get("Last-Event-ID", ""), request.GET.get("after", "")):
        if raw.isdigit() and len(raw) < 19:
            return int(raw)
    return 0


def stream_response(
    *,
    after: int,
    fetch: Callable[[int], list[dict]],
    tick: Callable[[], None] | None = None,
) -> HttpResponseBase:
    """Events ``message`` (each with its id) from ``fetch(after)``; ``tick`` runs about
    every keep-alive (an agent's presence). A full process answers ``poll``."""
    if not _take():
        return HttpResponse("retry: 60000\n\n" + sse("poll"), content_type="text/event-stream")

    def events():
        nonlocal after
        try:
            yield "retry: 1000\n\n" + sse("hello")
            deadline = time.monotonic() + settings.PANORAMA_CALL_STREAM_SECONDS
            quiet_since = time.monotonic()
            while time.monotonic() < deadline:
                try:
                    found = fetch(after)
                except Exception:  # the database went away: end, the page reconnects
                    log.warning("A chat stream ended on an error", exc_info=True)
                    return
                for item in found:
                    after = item["id"]
                    yield sse("message", item, event_id=item["id"])
                    quiet_since = time.monotonic()
                if time.monotonic() - quiet_since > KEEPALIVE_SECONDS:
                    yield ": keep-alive\n\n"  # a closed tab fails this write: no tick after
                    quiet_since = time.monotonic()
                    if tick is not None:
                        try:
                            tick()
                        except Exception:  # the database went away or is busy: end it
                            log.warning("A chat stream ended on an error", exc_info=True)
                            return
                time.sleep(POLL_SECONDS)
        finally:
            _give()

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
