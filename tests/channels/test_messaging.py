"""SMS and WhatsApp-style messages against a local provider: an HTTP server started
here (http.server in a thread) that speaks the reference API of docs/messaging.md. Its
webhook calls come signed; a bad signature stores nothing."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from panorama.accounts.models import Role
from panorama.channels.models import Interaction, MessagingAccount, TextMessage
from panorama.channels.sms.provider import signature_for
from panorama.channels.sms.services import messaging_account_save
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db
KEY = "provider-api-key"


class Provider(BaseHTTPRequestHandler):
    """POST /messages: 201 {"id"} for a good key and number, else 4xx {"error"}."""

    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.headers.get("Authorization") != f"Bearer {KEY}":
            return self._answer(401, {"error": "bad API key"})
        if body["to"].endswith("000"):
            return self._answer(400, {"error": "number not reachable"})
        self.received.append(body)
        return self._answer(201, {"id": f"prov-{len(self.received)}", "status": "queued"})

    def _answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    Provider.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", Provider.received
    server.shutdown()
    server.server_close()


@pytest.fixture
def account(provider):
    url, _received = provider
    return messaging_account_save(
        by=None,
        account=MessagingAccount(name="SMS", number="+34600100200", api_url=url),
        api_key=KEY,
    )


@pytest.fixture
def ana():
    customer = CustomerFactory(display_name="Ana García")
    IdentityFactory(customer=customer, kind="phone", value="+34611222333", is_primary=True)
    return customer


def post_webhook(client, account, payload, secret=None):
    body = json.dumps(payload).encode()
    return client.post(
        f"/api/v1/channels/messaging/{account.pk}/webhook",
        data=body,
        content_type="application/json",
        headers={"X-Panorama-Signature": signature_for(secret or account.webhook_secret, body)},
    )


def test_a_text_to_the_customer_reaches_the_provider_and_the_timeline(api, provider, account, ana):
    _url, received = provider
    r = api.post(
        f"/customers/{ana.pk}/messages",
        json={"account_id": account.pk, "body": "Su cita es mañana"},
    )

    assert r.status_code == 201, r.content
    assert received == [
        {
            "from": "+34600100200",
            "to": "+34611222333",
            "body": "Su cita es mañana",
            "channel": "sms",
        }
    ]
    entry = Interaction.objects.get(customer=ana)
    assert (entry.channel, entry.direction, entry.outcome) == ("sms", "outbound", "Queued")


def test_delivery_reports_update_the_message_in_order(client, api, provider, account, ana):
    sent = api.post(
        f"/customers/{ana.pk}/messages", json={"account_id": account.pk, "body": "Hola"}
    ).json()

    assert (
        post_webhook(
            client, account, {"type": "status", "id": "prov-1", "status": "delivered"}
        ).status_code
        == 200
    )
    # A late "sent" after "delivered" changes nothing.
    assert (
        post_webhook(
            client, account, {"type": "status", "id": "prov-1", "status": "sent"}
        ).status_code
        == 200
    )

    message = TextMessage.objects.get(pk=sent["id"])
    assert message.status == "delivered"
    assert Interaction.objects.get(customer=ana).outcome == "Delivered"
    unknown = post_webhook(client, account, {"type": "status", "id": "nope", "status": "failed"})
    assert unknown.status_code == 404


def test_the_provider_refusing_is_said_and_kept(api, provider, ana, account):
    r = api.post(
        f"/customers/{ana.pk}/messages",
        json={"account_id": account.pk, "body": "Hola", "number": "+34611222000"},
    )
    assert r.status_code == 422
    assert "number not reachable" in r.json()["detail"]
    assert TextMessage.objects.get().status == "failed"


def test_an_inbound_message_from_a_known_number_lands_on_his_timeline_once(
    client, account, ana, emitted
):
    payload = {"type": "message", "id": "in-1", "from": "611 22 23 33", "body": "¿Abren el sábado?"}
    with emitted() as events:
        first = post_webhook(client, account, payload)
        again = post_webhook(client, account, payload)  # the provider retries

    assert (first.status_code, again.status_code) == (201, 200)
    entry = Interaction.objects.get(customer=ana)
    assert (entry.channel, entry.direction, entry.body) == ("sms", "inbound", "¿Abren el sábado?")
    assert [p["customer_id"] for n, p in events if n == "message.received"] == [ana.pk]


def test_a_whatsapp_style_account_writes_chat_entries(client, provider, ana):
    url, _r = provider
    chat = messaging_account_save(
        by=None,
        account=MessagingAccount(name="WA", kind="whatsapp", number="+34600100201", api_url=url),
        api_key=KEY,
    )
    post_webhook(
        client, chat, {"type": "message", "id": "w1", "from": "+34611222333", "body": "Hola"}
    )
    assert Interaction.objects.get(customer=ana).channel == "chat"


@pytest.mark.parametrize(
    "signature", ["", "sha256=00", "wrong-secret"], ids=["missing", "forged", "other-key"]
)
def test_a_bad_signature_is_refused_and_nothing_is_stored(client, account, signature):
    body = json.dumps({"type": "message", "id": "x", "from": "+34611222333", "body": "hi"}).encode()
    if signature == "wrong-secret":
        signature = signature_for("not-the-secret-at-all", body)
    r = client.post(
        f"/api/v1/channels/messaging/{account.pk}/webhook",
        data=body,
        content_type="application/json",
        headers={"X-Panorama-Signature": signature} if signature else {},
    )
    assert r.status_code == 401
    assert "signature" in r.json()["detail"]
    assert not TextMessage.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "message", "id": "x", "body": "no sender"},
        {"type": "status", "id": "x", "status": "exploded"},
        {"type": "nonsense", "id": "x"},
        {"type": "message", "from": "+34611222333", "body": "no id"},
        {
            "type": "message",
            "id": "x",
            "from": "+34611222333",
            "body": "hi",
            "received_at": "yesterday",
        },
    ],
)
def test_a_signed_but_malformed_body_is_refused_with_a_message(client, account, payload):
    r = post_webhook(client, account, payload)
    assert r.status_code == 422
    assert "not valid" in r.json()["detail"]
    assert not TextMessage.objects.exists()


def test_unknown_numbers_are_listed_and_linked(client, api, account):
    post_webhook(
        client, account, {"type": "message", "id": "u1", "from": "+34699888777", "body": "Soy Luis"}
    )
    post_webhook(
        client,
        account,
        {"type": "message", "id": "u2", "from": "+34699888777", "body": "¿Me llaman?"},
    )
    [row] = api.get("/channels/unknown-numbers").json()
    assert (row["number"], row["messages"]) == ("+34699888777", 2)

    luis = CustomerFactory(display_name="Luis Pérez")
    r = api.post(
        "/channels/unknown-numbers/link", json={"number": "+34699888777", "customer_id": luis.pk}
    )

    assert r.json() == {"linked": 2}
    assert Interaction.objects.filter(customer=luis, channel="sms").count() == 2
    assert luis.identities.filter(kind="phone", value="+34699888777").exists()
    assert api.get("/channels/unknown-numbers").json() == []
    # The next message from him finds him.
    post_webhook(
        client, account, {"type": "message", "id": "u3", "from": "+34699888777", "body": "Gracias"}
    )
    assert Interaction.objects.filter(customer=luis).count() == 3


def test_an_analyst_cannot_send_and_a_rep_only_to_his_customers(api_as, provider, account, rep):
    analyst = UserFactory(role=Role.ANALYST)
    mine = CustomerFactory(owner=rep)
    IdentityFactory(customer=mine, kind="phone", value="+34622333444")
    stranger = CustomerFactory(owner=UserFactory(role=Role.SALES_REP))
    body = {"account_id": account.pk, "body": "Hola"}
    assert api_as(analyst).post(f"/customers/{mine.pk}/messages", json=body).status_code == 403
    assert api_as(rep).post(f"/customers/{stranger.pk}/messages", json=body).status_code == 404
    assert api_as(rep).post(f"/customers/{mine.pk}/messages", json=body).status_code == 201
