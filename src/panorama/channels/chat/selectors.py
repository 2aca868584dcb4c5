"""Reads of the chats: a conversation's messages after an id (the streams' and the
polling's one query), as the visitor or an agent sees them; the agents who answer."""

from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import can

from .models import ChatMessage, Conversation
from .services import conversations_visible_to

A = ChatMessage.Author
BATCH = 50


def _system_text(message: ChatMessage) -> str:
    if message.event == "taken":
        return _("%(name)s joined the chat.") % {"name": message.body}
    if message.event == "transferred":
        return _("The chat was passed to %(name)s.") % {"name": message.body}
    if message.event == "closed":
        return _("The chat was closed.")
    return message.body


def message_rows(*, conversation_id: int, after: int, for_agent: bool) -> list[dict]:
    """The messages after ``after`` (at most 50), ready for the page: who wrote (the
    visitor sees an agent's first name only), the text, the time in the reader's
    locale."""
    rows = list(
        ChatMessage.objects.filter(conversation_id=conversation_id, id__gt=after)
        .select_related("agent", "conversation")
        .order_by("id")[:BATCH]
    )
    out = []
    for m in rows:
        if m.author == A.VISITOR:
            who = m.conversation.name
        elif m.author == A.AGENT and m.agent is not None:
            who = (
                (m.agent.get_full_name() or m.agent.username)
                if for_agent
                else (m.agent.first_name or m.agent.username)
            )
        else:
            who = ""
        out.append(
            {
                "id": m.pk,
                "author": m.author,
                "who": who,
                "body": _system_text(m) if m.author == A.SYSTEM else m.body,
                "event": m.event,
                "at": formats.time_format(timezone.localtime(m.created_at), "TIME_FORMAT"),
            }
        )
    return out


def chat_queue(*, user: User, tab: str) -> QuerySet[Conversation]:
    """The agent's queue with the unread count of each chat (one query)."""
    S = Conversation.Status
    qs = conversations_visible_to(user).select_related("customer", "agent", "site")
    if tab == "waiting":
        qs = qs.filter(status=S.WAITING)
    elif tab == "mine":
        qs = qs.filter(agent=user, status=S.ACTIVE)
    elif tab == "closed":
        qs = qs.filter(status=S.CLOSED)
    elif tab == "offline":
        qs = qs.filter(status=S.OFFLINE)
    return qs.annotate(
        unread=Count(
            "messages",
            filter=Q(messages__author=A.VISITOR, messages__id__gt=F("agent_read_id")),
        )
    )


def queue_counts(*, user: User) -> dict[str, int]:
    """How many chats wait, and how many of his have unread messages (one query)."""
    S = Conversation.Status
    qs = conversations_visible_to(user)
    return qs.aggregate(
        waiting=Count("id", filter=Q(status=S.WAITING)),
        mine=Count("id", filter=Q(status=S.ACTIVE, agent=user)),
    )


def queue_version(*, user: User) -> str:
    """What the queue page depends on, in two indexed queries: the counts (a chat taken,
    transferred or closed changes them) and the newest message (a new chat or a message in
    one). A change means the page should fetch the queue again."""
    counts = queue_counts(user=user)
    newest = ChatMessage.objects.aggregate(newest=Max("id"))["newest"] or 0
    return f"{counts['waiting']}-{counts['mine']}-{newest}"


def chat_agents() -> list[User]:
    """Active users who may answer chats (the transfer menu)."""
    users = User.objects.filter(is_active=True).order_by("first_name", "username")
    return [u for u in users[:500] if can(u, "channels.chat")]
