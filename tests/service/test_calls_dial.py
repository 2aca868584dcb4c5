"""Click-to-call against a real HTTP server standing in for the PBX (http.server in a
thread): the signed request it receives, a PBX that refuses, one that is down, and the
agent without an extension."""

import hashlib
import hmac
import http.server
import json
import socket
import threading

import pytest

from panorama.accounts.models import Role
from panorama.service.models import Call, Extension, Pbx

from ..factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db


class FakePbx(http.server.BaseHTTPRequestHandler):
    received: list = []
    answer = 200

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakePbx.received.append((self.path, dict(self.headers), body))
        self.send_response(FakePbx.answer)
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):
        pass


@pytest.fixture
def pbx_server():
    FakePbx.received, FakePbx.answer = [], 200
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakePbx)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/originate"
    server.shutdown()
    server.server_close()


@pytest.fixture
def agent(pbx_server):
    pbx = Pbx.objects.create(name="Asterisk", secret="dial-secret", outbound_url=pbx_server)
    user = UserFactory(username="elena", role=Role.SERVICE_AGENT)
    Extension.objects.create(pbx=pbx, number="101", user=user)
    return user


def test_the_pbx_gets_a_signed_dial_request(client, agent, emitted):
    ana = CustomerFactory(first_name="Ana")
    IdentityFactory(customer=ana, kind="phone", value="+34600112233")
    client.force_login(agent)
    with emitted() as events:
        response = client.post("/service/calls/dial/", {"number": "600 11 22 33"})
    assert response.status_code == 200
    assert "Calling +34600112233 from extension 101" in response.content.decode()
    (path, headers, body) = FakePbx.received[0]
    call = Call.objects.get()
    assert path == "/originate"
    assert json.loads(body) == {
        "action": "dial",
        "call_id": f"panorama-{call.pk}",
        "extension": "101",
        "number": "+34600112233",
    }
    expected = "sha256=" + hmac.new(b"dial-secret", body, hashlib.sha256).hexdigest()
    assert headers["X-Panorama-Signature"] == expected
    assert (call.direction, call.status, call.customer, call.agent) == (
        "out",
        "requested",
        ana,
        agent,
    )
    assert (
        "call.dialled",
        {"call_id": call.pk, "customer_id": ana.pk, "agent_id": agent.pk, "number": "+34600112233"},
    ) in events


def test_a_pbx_that_refuses_is_reported_and_the_call_marked_failed(api_as, agent):
    FakePbx.answer = 503
    response = api_as(agent).post("/calls/dial", json={"number": "+34600112233"})
    assert response.status_code == 502
    assert "did not accept" in response.json()["detail"]
    assert Call.objects.get().status == "failed"


def test_a_pbx_that_is_down_is_reported(api_as, agent):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    Pbx.objects.update(outbound_url=f"http://127.0.0.1:{port}/originate")
    response = api_as(agent).post("/calls/dial", json={"number": "+34600112233"})
    assert response.status_code == 502


def test_a_bad_number_is_refused_before_calling(api_as, agent):
    response = api_as(agent).post("/calls/dial", json={"number": "12"})
    assert response.status_code == 422 and "number" in response.json()["errors"]
    assert not FakePbx.received and not Call.objects.exists()


def test_without_an_extension_there_is_no_click_to_call(api_as, agent):
    rep = UserFactory(username="luis", role=Role.SERVICE_AGENT)
    response = api_as(rep).post("/calls/dial", json={"number": "+34600112233"})
    assert response.status_code == 403
    assert "extension" in response.json()["detail"]
    assert not FakePbx.received
