"""Web chat: a visitor starts a chat from the widget's public endpoints (checked origin,
size and rate, clear 4xx otherwise), is recognised by his e-mail, phone or tracking
cookie, writes and reads by his token; agents take, answer, transfer and close it; the
closed chat lands on the customer's timeline, an unknown visitor's waits to be linked;
with nobody on line the form becomes a case or a callback."""

import json

import pytest
from django.test import override_settings
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.automation.models import TrackedSite, WebEvent, WebVisitor
from panorama.channels.chat import services
from panorama.channels.models import ChatMessage, ChatPresence, Conversation, Interaction
from panorama.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from panorama.service.models import CallbackRequest, Case

from ..factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db
ORIGIN = "https://www.bank.example"


@pytest.fixture
def site(db):
    return TrackedSite.objects.create(name="Bank web", origins=ORIGIN)


@pytest.fixture
def agent(team):
    return UserFactory(username="elena", first_name="Elena", role=Role.SERVICE_AGENT, teams=[team])


@pytest.fixture
def online(agent):
    ChatPresence.objects.create(user=agent, seen_at=timezone.now())
    return agent


@pytest.fixture
def lucia(team, rep):
    customer = CustomerFactory(first_name="Lucía", last_name="Vega", owner=rep, team=team)
    IdentityFactory(customer=customer, kind="email", value="lucia@example.com")
    return customer


def start(client, site, origin=ORIGIN, **data):
    body = {"name": "Lucía", "message": "Hola, ¿tenéis hipotecas fijas?", "consent": True, **data}
    return client.post(
        f"/channels/chat/w/{site.public_key}/start/",
        data=json.dumps(body),
        content_type="text/plain",
        headers={"Origin": origin},
    )


# --- the public endpoints ---------------------------------------------------------------


def test_a_visitor_starts_a_chat_and_is_recognised_by_his_email(client, site, online, lucia):
    answer = start(client, site, email="Lucia@Example.com")
    assert answer.status_code == 201, answer.content
    assert answer["Access-Control-Allow-Origin"] == ORIGIN
    body = answer.json()
    assert body["status"] == "waiting" and body["token"]
    assert [m["body"] for m in body["messages"]] == ["Hola, ¿tenéis hipotecas fijas?"]
    conversation = Conversation.objects.get()
    assert conversation.customer == lucia and conversation.identified_by == "email"
    assert "kept" in conversation.consent_text  # what he accepted is kept, in his words


def test_the_tracking_cookie_recognises_a_visitor_who_gives_nothing(client, site, online, lucia):
    WebVisitor.objects.create(site=site, cookie_id="cookie-abc-123", customer=lucia)
    start(client, site, visitor="cookie-abc-123")
    assert Conversation.objects.get().customer == lucia


def test_an_email_given_in_the_chat_links_the_cookie_and_its_earlier_events(
    client, site, online, lucia
):
    WebEvent.objects.create(
        site=site, cookie_id="cookie-xyz-999", name="page_view", at=timezone.now()
    )
    start(client, site, email="lucia@example.com", visitor="cookie-xyz-999")
    visitor = WebVisitor.objects.get(cookie_id="cookie-xyz-999")
    assert visitor.customer == lucia and visitor.identified_by == "chat"
    assert WebEvent.objects.get().customer == lucia


@pytest.mark.parametrize(
    "origin, data, status, words",
    [
        ("https://evil.example", {}, 403, "origin"),
        ("", {}, 403, "origin"),
        (ORIGIN, {"consent": False}, 422, "Accept"),
        (ORIGIN, {"name": ""}, 422, "required"),
        (ORIGIN, {"message": "x" * 2001}, 422, "2000"),
        (ORIGIN, {"email": "not-an-email"}, 422, "e-mail"),
    ],
)
def test_bad_starts_are_refused_with_a_clear_4xx_and_nothing_kept(
    client, site, online, origin, data, status, words
):
    answer = start(client, site, origin=origin, **data)
    assert answer.status_code == status
    assert words in answer.json()["detail"]
    assert Conversation.objects.count() == 0


def test_an_unknown_key_is_404_and_an_oversized_request_413(client, site, online):
    assert client.get("/channels/chat/w/pk_nope/", headers={"Origin": ORIGIN}).status_code == 404
    answer = client.post(
        f"/channels/chat/w/{site.public_key}/start/",
        data=b"{" + b" " * (17 * 1024) + b"}",
        content_type="text/plain",
        headers={"Origin": ORIGIN},
    )
    assert answer.status_code == 413 and "16 KB" in answer.json()["detail"]


@override_settings(PANORAMA_CHAT_PER_MINUTE=3)
def test_writes_are_rate_limited_per_address(client, site, online):
    answers = [start(client, site).status_code for _ in range(4)]
    assert answers == [201, 201, 201, 429]
    assert Conversation.objects.count() == 3
    last = start(client, site)
    assert last.status_code == 429 and int(last["Retry-After"]) <= 60
    assert "wait a minute" in last.json()["detail"]


def test_the_status_says_whether_someone_is_on_line_in_the_visitors_language(client, site, agent):
    answer = client.get(
        f"/channels/chat/w/{site.public_key}/",
        headers={"Origin": ORIGIN, "Accept-Language": "es"},
    )
    assert answer.status_code == 200
    assert answer.json()["online"] is False
    assert answer.json()["texts"]["title"] == "Chatea con nosotros"
    ChatPresence.objects.create(user=agent, seen_at=timezone.now())
    assert client.get(f"/channels/chat/w/{site.public_key}/", headers={"Origin": ORIGIN}).json()[
        "online"
    ]


def test_the_visitor_writes_reads_and_ends_by_his_token_only(client, site, online, lucia, agent):
    token = start(client, site, email="lucia@example.com").json()["token"]
    url = f"/channels/chat/w/{site.public_key}/{token}"
    sent = client.post(
        f"{url}/send/",
        data=json.dumps({"body": "¿Sigue ahí?"}),
        content_type="text/plain",
        headers={"Origin": ORIGIN},
    )
    assert sent.status_code == 201
    conversation = Conversation.objects.get()
    services.chat_reply(by=agent, conversation_id=conversation.pk, body="Sí, dígame.")
    rows = client.get(f"{url}/messages/?after=0", headers={"Origin": ORIGIN}).json()["messages"]
    assert [(m["author"], m["body"]) for m in rows] == [
        ("visitor", "Hola, ¿tenéis hipotecas fijas?"),
        ("visitor", "¿Sigue ahí?"),
        ("system", "Elena joined the chat."),
        ("agent", "Sí, dígame."),
    ]
    assert rows[-1]["who"] == "Elena"
    wrong = client.get(
        f"/channels/chat/w/{site.public_key}/bad-token/messages/", headers={"Origin": ORIGIN}
    )
    assert wrong.status_code == 404
    assert client.post(f"{url}/close/", headers={"Origin": ORIGIN}).status_code == 200
    after = client.post(
        f"{url}/send/",
        data=json.dumps({"body": "¿Hola?"}),
        content_type="text/plain",
        headers={"Origin": ORIGIN},
    )
    assert after.status_code == 409 and "closed" in after.json()["detail"]
    entry = Interaction.objects.get(customer=lucia, channel="chat")
    assert "Sí, dígame." in entry.body and entry.agent == agent


def test_the_visitors_stream_sends_his_messages_as_server_sent_events(client, site, online):
    token = start(client, site).json()["token"]
    with override_settings(PANORAMA_CALL_STREAM_SECONDS=0.3):
        answer = client.get(
            f"/channels/chat/w/{site.public_key}/{token}/stream/", headers={"Origin": ORIGIN}
        )
        text = b"".join(answer.streaming_content).decode()
    assert answer["Content-Type"] == "text/event-stream"
    assert answer["Access-Control-Allow-Origin"] == ORIGIN
    assert "event: hello" in text and "event: message" in text and "hipotecas" in text


# --- offline ------------------------------------------------------------------------------


def test_offline_a_known_customers_message_opens_a_case(client, site, lucia):
    answer = start(client, site, email="lucia@example.com")
    assert answer.status_code == 201 and answer.json()["token"] is None
    conversation = Conversation.objects.get()
    assert conversation.status == "offline"
    case = Case.objects.get(customer=lucia)
    assert case.channel == "chat" and "hipotecas" in case.description
    assert conversation.follow_up["case"] == case.pk


def test_offline_an_unknown_visitor_with_a_phone_gets_a_callback(client, site):
    start(client, site, phone="600 11 22 33")
    callback = CallbackRequest.objects.get()
    assert callback.phone == "+34600112233" and callback.name == "Lucía"
    assert "hipotecas" in callback.reason


def test_offline_with_neither_the_message_waits_and_linking_opens_the_case(
    client, site, lucia, rep
):
    start(client, site, email="nueva@example.com")
    conversation = Conversation.objects.get()
    assert conversation.follow_up == {} and conversation.customer is None
    manager = UserFactory(role=Role.SALES_MANAGER, teams=list(rep.teams.all()))
    manager.managed_teams.set(rep.teams.all())
    services.chat_link(by=manager, conversation_id=conversation.pk, customer_id=lucia.pk)
    assert Case.objects.get(customer=lucia).channel == "chat"


# --- agents -------------------------------------------------------------------------------


@pytest.fixture
def waiting(site, online):
    conversation = services.chat_start(
        site=site, data={"name": "Visitante", "message": "Hola", "consent": True}
    )
    return conversation


def test_take_reply_transfer_and_close(waiting, agent, team, emitted):
    other = UserFactory(username="pablo", first_name="Pablo", role=Role.SALES_REP, teams=[team])
    services.chat_take(by=agent, conversation_id=waiting.pk)
    manager = UserFactory(role=Role.SALES_MANAGER)  # sees every chat
    with pytest.raises(Conflict, match="Elena is already answering"):
        services.chat_take(by=manager, conversation_id=waiting.pk)
    with pytest.raises(NotFound):  # not his, no longer waiting: not visible to him
        services.chat_reply(by=other, conversation_id=waiting.pk, body="Hola")
    services.chat_transfer(by=agent, conversation_id=waiting.pk, to_user_id=other.pk)
    services.chat_reply(by=other, conversation_id=waiting.pk, body="Soy Pablo")
    with pytest.raises(ValidationFailed, match="2000"):
        services.chat_reply(by=other, conversation_id=waiting.pk, body="x" * 2001)
    with emitted() as events:
        services.chat_close(by=other, conversation_id=waiting.pk)
    assert (
        "chat.closed",
        {
            "conversation_id": waiting.pk,
            "customer_id": None,
            "interaction_id": None,
            "by": other.pk,
        },
    ) in events
    assert list(
        ChatMessage.objects.filter(conversation=waiting, author="system").values_list(
            "event", flat=True
        )
    ) == ["taken", "transferred", "closed"]
    with pytest.raises(Conflict, match="closed"):
        services.chat_reply(by=other, conversation_id=waiting.pk, body="¿Sigue?")


def test_an_analyst_cannot_answer_chats(waiting):
    analyst = UserFactory(role=Role.ANALYST)
    with pytest.raises(PermissionDenied, match="cannot answer|not answer"):
        services.chat_take(by=analyst, conversation_id=waiting.pk)


def test_a_closed_unknown_chat_is_linked_to_a_customer_and_lands_on_his_timeline(
    waiting, agent, lucia, rep
):
    services.chat_reply(by=agent, conversation_id=waiting.pk, body="¿Su e-mail?")
    services.chat_close(by=agent, conversation_id=waiting.pk)
    assert not Interaction.objects.filter(channel="chat").exists()
    manager = UserFactory(role=Role.SALES_MANAGER)
    manager.managed_teams.set(rep.teams.all())
    services.chat_link(by=manager, conversation_id=waiting.pk, customer_id=lucia.pk)
    entry = Interaction.objects.get(customer=lucia, channel="chat")
    assert entry.subject == "Web chat with Visitante" and "¿Su e-mail?" in entry.body


def test_the_queue_page_shows_unread_counts_and_the_conversation_marks_them_read(
    client, waiting, agent, site
):
    services.chat_take(by=agent, conversation_id=waiting.pk)
    services.chat_visitor_send(conversation=waiting, body="¿Hola?")
    client.force_login(agent)
    page = client.get("/channels/chats/?tab=mine").content.decode()
    assert "Visitante" in page and 'data-unread="2"' in page
    detail = client.get(f"/channels/chats/{waiting.pk}/")
    assert detail.status_code == 200 and "¿Hola?" in detail.content.decode()
    assert "data-unread" not in client.get("/channels/chats/?tab=mine").content.decode()


def _events_until(stream, wanted: str, *, then=None) -> str:
    """Read a stream's chunks until ``wanted`` arrives (or the stream ends); ``then`` runs
    once, after the first chunk (what happens while the page is open)."""
    seen = ""
    for chunk in stream:
        seen += chunk.decode()
        if then is not None:
            then()
            then = None
        if wanted in seen:
            break
    return seen


def test_the_open_queue_hears_at_once_of_a_new_chat_and_of_a_take(
    client, site, online, agent, monkeypatch
):
    from panorama.channels.chat import views

    monkeypatch.setattr(views, "QUEUE_CHECK_SECONDS", 0)
    client.force_login(agent)
    page = client.get("/channels/chats/").content.decode()
    version = page.split('data-version="', 1)[1].split('"', 1)[0]
    assert "No chats here." in page and 'data-stream="/channels/chats/stream/"' in page

    def new_chat():
        services.chat_start(site=site, data={"name": "Ana", "message": "Hola", "consent": True})

    with override_settings(PANORAMA_CALL_STREAM_SECONDS=5):
        # Nothing new: the stream only says hello and keeps the agent on line.
        with override_settings(PANORAMA_CALL_STREAM_SECONDS=0.3):
            quiet = client.get(f"/channels/chats/stream/?v={version}")
            text = b"".join(quiet.streaming_content).decode()
        assert quiet["Content-Type"] == "text/event-stream"
        assert "event: hello" in text and "event: message" not in text

        # A visitor starts a chat while the page is open: the stream says so.
        stream = client.get(f"/channels/chats/stream/?v={version}").streaming_content
        assert "event: message" in _events_until(stream, "event: message", then=new_chat)
        fresh = client.get("/channels/chats/", headers={"HX-Request": "true"}).content.decode()
        assert "Ana" in fresh and 'data-count="waiting">1<' in fresh

        # Another agent takes it: the counts change, so the stream speaks again.
        now = client.get("/channels/chats/").content.decode()
        version = now.split('data-version="', 1)[1].split('"', 1)[0]
        other = UserFactory(role=Role.SERVICE_AGENT, teams=list(agent.teams.all()))
        chat = Conversation.objects.get()
        stream = client.get(f"/channels/chats/stream/?v={version}").streaming_content
        seen = _events_until(
            stream,
            "event: message",
            then=lambda: services.chat_take(by=other, conversation_id=chat.pk),
        )
        assert "event: message" in seen


def test_the_queue_stream_is_for_chat_agents_only(client, site):
    client.force_login(UserFactory(role=Role.ANALYST))
    assert client.get("/channels/chats/stream/").status_code == 403


def test_the_agents_reply_endpoint_answers_json_with_the_services_error(client, waiting, agent):
    client.force_login(agent)
    ok = client.post(f"/channels/chats/{waiting.pk}/reply/", {"body": "Buenas"})
    assert ok.status_code == 201
    empty = client.post(f"/channels/chats/{waiting.pk}/reply/", {"body": " "})
    assert empty.status_code == 422 and "required" in empty.json()["detail"]


def test_the_api_lists_answers_and_closes(api_as, waiting, agent):
    api = api_as(agent)
    listed = api.get("/channels/chats?tab=waiting")
    assert listed.status_code == 200 and listed.json()[0]["unread"] == 1
    reply = api.post(f"/channels/chats/{waiting.pk}/messages", json={"body": "Hola"})
    assert reply.status_code == 201 and reply.json()["author"] == "agent"
    assert api.get("/channels/chats?tab=nope").status_code == 422
    closed = api.post(f"/channels/chats/{waiting.pk}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert api.post(f"/channels/chats/{waiting.pk}/close").status_code == 409


def test_the_queue_costs_the_same_queries_for_one_chat_or_many(client, site, online):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(online)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/channels/chats/?tab=waiting").status_code == 200
        return len(captured)

    services.chat_start(site=site, data={"name": "Uno", "message": "Hola", "consent": True})
    one = queries()
    for n in range(5):
        services.chat_start(site=site, data={"name": f"V{n}", "message": "Hola", "consent": True})
    assert queries() == one
