"""Web chat in the demo, through the chat's own services: the showcase customer's chat
about a mortgage, answered and closed (so its transcript is on her timeline), a visitor
waiting in the queue, and an offline message from an unknown visitor with a phone (a
callback request). Runs after the automation demo, whose site carries the widget."""

from django.contrib.auth import get_user_model
from django.db import transaction

from panorama.automation.models import TrackedSite
from panorama.channels.chat.services import (
    chat_close,
    chat_presence_touch,
    chat_reply,
    chat_start,
    chat_visitor_send,
)
from panorama.channels.models import ChatPresence, Conversation

from .showcase import EMAIL

PAGE = "http://127.0.0.1:8000/hipotecas"


def _visitor(name: str, message: str, *, email: str = "", phone: str = "") -> dict:
    return {
        "name": name,
        "email": email,
        "phone": phone,
        "message": message,
        "consent": True,
        "page": PAGE,
    }


@transaction.atomic
def chat_demo_ensure() -> int:
    """Once (nothing if a chat exists or there is no site or agent): answers how many
    conversations it wrote."""
    site = TrackedSite.objects.order_by("pk").first()
    agent = get_user_model().objects.filter(username="agent").first()
    if site is None or agent is None or Conversation.objects.exists():
        return 0
    # Nobody is on line yet: this one is left as an offline message (a callback).
    chat_start(
        site=site,
        data=_visitor(
            "Rocío", "¿Pueden llamarme mañana por la tarde por un préstamo?", phone="+34611223344"
        ),
    )
    chat_presence_touch(user=agent)  # the agent opens the Chats page
    try:
        known = chat_start(
            site=site,
            data=_visitor("Ana", "Hola, ¿qué tipo fijo tienen ahora las hipotecas?", email=EMAIL),
        )
        chat_reply(
            by=agent,
            conversation_id=known.pk,
            body="Hola, Ana. Hoy el fijo a 25 años está al 2,95 % TIN; le preparo una simulación.",
        )
        chat_visitor_send(
            conversation=known, body="Perfecto, gracias. Mejor que me llame mi gestor."
        )
        chat_reply(by=agent, conversation_id=known.pk, body="Se lo paso ahora mismo. ¡Buen día!")
        chat_close(by=agent, conversation_id=known.pk)
        chat_start(
            site=site,
            data=_visitor("Marcos", "¿La tarjeta de débito tiene comisión de emisión?"),
        )
    finally:
        ChatPresence.objects.filter(user=agent).delete()  # not on line until he opens Chats
    return Conversation.objects.count()
