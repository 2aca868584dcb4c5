"""Web chat in two real browsers, in Spanish at 375 px: a visitor on the bank's own site
(another origin, serving only the snippet) opens the widget and writes; the agent, on
the Chats page, sees the chat arrive, answers, and each side sees the other's messages
live (server-sent events); the agent closes and the chat is on the customer's timeline."""

import http.server
import threading
from functools import partial

import pytest
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.automation.models import TrackedSite
from panorama.channels.models import Conversation, Interaction
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank_site(tmp_path, live_server):
    """The bank's web site: a page on another origin carrying the chat snippet."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    )
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    site = TrackedSite.objects.create(name="Web del banco", origins=origin)
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='es'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Banco</title></head><body><h1>Hipotecas</h1>"
        f"<script src='{live_server.url}/static/channels/chat-widget.js' "
        f"data-site='{site.public_key}' data-base='{live_server.url}' defer></script>"
        "</body></html>",
        encoding="utf-8",
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield origin
    server.shutdown()


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_visitor_and_an_agent_chat_live_both_ways(
    browser, page, sign_in, live_server, bank_site, screenshots
):
    UserFactory(username="elena", first_name="Elena", role=Role.SERVICE_AGENT, language="es")
    lucia = CustomerFactory(first_name="Lucía", last_name="Vega")
    IdentityFactory(customer=lucia, kind="email", value="lucia@example.com")

    # The agent opens the Chats page: he is on line from then. (Generous waits: the
    # machine may be busy; nothing here is timed.)
    page.set_default_timeout(30_000)
    sign_in("elena")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/channels/chats/")
    expect(page.get_by_role("heading", name="Chats")).to_be_visible()

    visitor_context = browser.new_context(viewport={"width": 375, "height": 740}, locale="es-ES")
    visitor_context.set_default_timeout(30_000)
    visitor = visitor_context.new_page()
    try:
        visitor.goto(f"{bank_site}/index.html")
        visitor.get_by_role("button", name="Chat", exact=True).click()
        widget = visitor.get_by_role("dialog", name="Chatea con nosotros")
        expect(widget).to_be_visible()
        widget.get_by_label("Tu nombre").fill("Lucía")
        widget.get_by_label("Correo electrónico (opcional)").fill("lucia@example.com")
        widget.get_by_label("Tu mensaje").fill("Hola, ¿tenéis hipotecas a tipo fijo?")
        widget.get_by_role("checkbox").check()
        widget.get_by_role("button", name="Iniciar el chat").click()
        expect(widget).to_contain_text("Gracias: un agente te atenderá enseguida.")
        no_sideways_scroll(visitor)

        # The open queue hears of the chat through its stream and shows it; the agent opens it.
        row = page.locator("#chat-list [data-conversation]").filter(has_text="Lucía")
        expect(row).to_be_visible()
        expect(row.locator("[data-unread]")).to_have_text("1 sin leer")
        row.get_by_role("link", name="Lucía").click()
        log = page.locator("#chat-log")
        expect(log).to_contain_text("¿tenéis hipotecas a tipo fijo?")
        no_sideways_scroll(page)

        page.get_by_label("Tu respuesta").fill("Sí, desde el 2,9 %. ¿Le llamo?")
        page.locator("#chat-reply").get_by_role("button", name="Enviar").click()
        expect(log).to_contain_text("Sí, desde el 2,9 %")
        # Live on the visitor's page, with the agent's first name only.
        expect(widget).to_contain_text("Elena se unió al chat.")
        expect(widget.locator("li.agent")).to_contain_text("Sí, desde el 2,9 %")

        widget.get_by_label("Escribe un mensaje").fill("Sí, por favor, esta tarde.")
        widget.get_by_role("button", name="Enviar").click()
        expect(log).to_contain_text("Sí, por favor, esta tarde.")  # live on the agent's
        visitor.screenshot(path=str(screenshots / "chat-visitor-375.png"))
        page.screenshot(path=str(screenshots / "chat-agent-375.png"))

        page.locator("form[action$='/close/'] button").click()
        expect(page.get_by_text("Chat cerrado y añadido al historial del cliente.")).to_be_visible()
        expect(widget).to_contain_text("El chat se cerró. Gracias.")
    finally:
        visitor_context.close()

    conversation = Conversation.objects.get()
    assert conversation.customer == lucia and conversation.status == "closed"
    entry = Interaction.objects.get(customer=lucia, channel="chat")
    assert "Sí, por favor, esta tarde." in entry.body and entry.agent.username == "elena"
