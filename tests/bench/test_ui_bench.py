"""The UI bench figures against a live server: the list's LCP in Chromium, the palette's
server time and queries, and the "load more" page far down the list against the second."""

import socket

import pytest

from panorama.accounts.models import Role
from panorama.bench import measure
from panorama.bench import ui as bench_ui
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_deep_page_and_the_palette(live_server):
    CustomerFactory.create_batch(160)
    admin = UserFactory(username="bench-admin", role=Role.ADMIN)
    said: list[str] = []

    deep = bench_ui.deep_page_ratio(live_server.url, admin, said.append, row=120, runs=3)

    assert deep["ui_deep_page_row"] >= 120  # it followed "load more" that far
    assert deep["ui_deep_page_ratio"] > 0 and deep["ui_second_page_ms"] > 0
    p50, queries = bench_ui.palette_ms(live_server.url, admin, requests=5)
    assert p50 > 0 and (queries is None or queries <= 10)


def test_a_list_too_short_is_said_not_measured(live_server):
    CustomerFactory.create_batch(3)
    admin = UserFactory(username="bench-admin", role=Role.ADMIN)
    said: list[str] = []
    assert bench_ui.deep_page_ratio(live_server.url, admin, said.append, row=500, runs=1) == {
        "ui_deep_page_ratio": None
    }
    assert "ends before row 500" in said[0]


def test_a_connection_the_server_closed_is_opened_again(live_server):
    """The bench's keep-alive connection survives the server closing it while idle."""
    client = measure.Connection(live_server.url, "")
    assert client.get("/healthz").status_code in (200, 204)
    client.conn.sock.shutdown(socket.SHUT_RDWR)  # the connection is dead, as if dropped
    assert client.get("/healthz").status_code in (200, 204)
    client.close()
