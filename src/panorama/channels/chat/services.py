"""Web chat: a visitor starts a conversation from the widget (public, checked here: the
site's key and origin are checked by the public views), writes and reads by his token;
agents take, answer, transfer and close it; a closed chat of a known customer is one
chat entry on his timeline, an unknown visitor waits for staff to link him. With no
agent on line the widget's form is a message that opens a case (a known customer) or a
callback (a phone number), else it waits in the queue's offline tab.

Identity: a customer signed in to the portal (``customer``, from the server's portal
session, never from what the browser posts), else the e-mail or phone the visitor gives
(``customers.selectors.identify``, one customer only), else the tracking cookie's
customer (``automation``'s ``WebVisitor``); a match by login, e-mail or phone also links
the cookie, as a web form's e-mail does."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import can, ensure_can
from panorama.automation.services.tracking import VISITOR_ID, visitor_link
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, NotFound, ValidationFailed
from panorama.customers import identifiers
from panorama.customers.selectors import customer_get, identify

from ..models import Interaction
from ..services import interaction_record
from .models import ChatMessage, ChatPresence, Conversation
from .throttle import ChatThrottled, chat_throttle  # noqa: F401 (the widget's)

logger = logging.getLogger(__name__)
MAX_MESSAGE = 2000  # characters of one message
MAX_NAME = 100
PRESENCE = datetime.timedelta(seconds=90)  # an agent seen this lately is on line
S = Conversation.Status
A = ChatMessage.Author


def _text(value, *, field: str, limit: int, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed(_("This must be text."), field=field)
    value = value.strip()
    if "\x00" in value:
        raise ValidationFailed(_("This text holds a character that is not allowed."), field=field)
    if required and not value:
        raise ValidationFailed(_("This field is required."), field=field)
    if len(value) > limit:
        raise ValidationFailed(
            _("At most %(n)s characters (this one has %(m)s).") % {"n": limit, "m": len(value)},
            field=field,
        )
    return value


def _body(value) -> str:
    return _text(value, field="body", limit=MAX_MESSAGE)


TOUCH_EVERY = datetime.timedelta(seconds=20)  # well inside PRESENCE


def agents_online(now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return ChatPresence.objects.filter(seen_at__gte=now - PRESENCE, user__is_active=True).exists()


def chat_presence_touch(*, user: User) -> None:
    """The agent has the chats open (his queue page, a conversation, a stream)."""
    if not can(user, "channels.chat"):
        return
    now = timezone.now()
    # Written at most every TOUCH_EVERY (a stream ticks every 2 s): a read otherwise.
    if ChatPresence.objects.filter(user=user, seen_at__gte=now - TOUCH_EVERY).exists():
        return
    ChatPresence.objects.update_or_create(user=user, defaults={"seen_at": now})


def consent_text() -> str:
    """What the visitor accepts before writing (in the request's language)."""
    return _(
        "I agree that this conversation and the details I give are kept to answer me and "
        "are added to my customer record."
    )


def _identify(*, site, email: str, phone: str, cookie: str) -> tuple[int | None, str]:
    for value, kind in ((email, "email"), (phone, "phone")):
        if value:
            matches = identify(user=None, value=value, kind=kind)
            if len(matches) == 1:
                return matches[0].customer.pk, kind
    if cookie:
        from panorama.automation.models import WebVisitor

        customer_id = (
            WebVisitor.objects.filter(site=site, cookie_id=cookie, customer__isnull=False)
            .values_list("customer_id", flat=True)
            .first()
        )
        if customer_id:
            return customer_id, "cookie"
    return None, ""


def _visitor(data: dict, customer=None) -> dict:
    """The visitor's details from the widget's form, checked (422 naming the field). A
    portal customer is who he is: no name, e-mail or phone is read from the form."""
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send a JSON object."), field="body")
    if customer is not None:
        name = (customer.display_name or str(customer))[:MAX_NAME]
        data = {**data, "email": "", "phone": ""}
    else:
        name = _text(data.get("name"), field="name", limit=MAX_NAME)
    email = _text(data.get("email"), field="email", limit=254, required=False).lower()
    if email:
        try:
            email = identifiers.normalise_email(email)
        except ValidationFailed:
            raise ValidationFailed(_("Enter a valid e-mail address."), field="email") from None
    phone = _text(data.get("phone"), field="phone", limit=40, required=False)
    if phone:
        try:
            phone = identifiers.normalise_phone(phone)
        except ValidationFailed:
            raise ValidationFailed(_("Enter a valid phone number."), field="phone") from None
    if data.get("consent") is not True:
        raise ValidationFailed(
            _("Accept how we keep this conversation to start it."), field="consent"
        )
    cookie = data.get("visitor") or ""
    if cookie and (not isinstance(cookie, str) or not VISITOR_ID.match(cookie)):
        raise ValidationFailed(_("The visitor id is not valid."), field="visitor")
    page = data.get("page") or ""
    page = page[:500] if isinstance(page, str) else ""
    customer_id = customer.pk if customer is not None else None
    return dict(name=name, email=email, phone=phone, cookie=cookie, page=page, customer=customer_id)


@transaction.atomic
def chat_start(*, site, data: dict, customer=None) -> Conversation:
    """A visitor starts a chat: name, optional e-mail and phone, the consent (required)
    and the first message. Returns the conversation (its token is the visitor's key).
    With no agent on line it is an offline message (``chat_offline``). ``customer`` is
    the portal's signed-in customer, which the caller reads from the server-side portal
    session: the chat is his, whatever the form says."""
    visitor = _visitor(data, customer)
    body = _body(data.get("message"))
    if not agents_online():
        return _offline(site=site, visitor=visitor, body=body)
    conversation = _create(site=site, visitor=visitor, status=S.WAITING)
    _add(conversation, author=A.VISITOR, body=body)
    emit(
        "chat.started",
        conversation_id=conversation.pk,
        site_id=site.pk,
        customer_id=conversation.customer_id,
        offline=False,
    )
    return conversation


def _create(*, site, visitor: dict, status: str) -> Conversation:
    customer_id, via = visitor["customer"], "portal"
    if customer_id is None:
        customer_id, via = _identify(
            site=site, email=visitor["email"], phone=visitor["phone"], cookie=visitor["cookie"]
        )
    if customer_id and visitor["cookie"] and via in ("portal", "email", "phone"):
        # Signed in, or he gave his e-mail or phone: his cookie is his from now.
        visitor_link(
            site=site,
            cookie=visitor["cookie"],
            customer_id=customer_id,
            via="portal" if via == "portal" else "chat",
        )
    return Conversation.objects.create(
        site=site,
        visitor_cookie=visitor["cookie"],
        name=visitor["name"],
        email=visitor["email"],
        phone=visitor["phone"],
        consent_text=consent_text(),
        page_url=visitor["page"],
        customer_id=customer_id,
        identified_by=via,
        status=status,
    )


def _add(
    conversation: Conversation, *, author: str, body: str, agent=None, event=""
) -> ChatMessage:
    message = ChatMessage.objects.create(
        conversation=conversation, author=author, body=body, agent=agent, event=event
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    conversation.last_message_at = message.created_at
    return message


def _offline(*, site, visitor: dict, body: str) -> Conversation:
    """No agent on line: the message opens a case for a known customer, or a callback
    when a phone was given; otherwise it waits in the queue's offline tab for staff."""
    conversation = _create(site=site, visitor=visitor, status=S.OFFLINE)
    _add(conversation, author=A.VISITOR, body=body)
    conversation.follow_up = _follow_up(conversation, body=body)
    conversation.save(update_fields=["follow_up"])
    emit(
        "chat.started",
        conversation_id=conversation.pk,
        site_id=site.pk,
        customer_id=conversation.customer_id,
        offline=True,
    )
    return conversation


def _follow_up(conversation: Conversation, *, body: str, by: User | None = None) -> dict:
    from panorama.service.models import CallbackRequest
    from panorama.service.services.callback import callback_request_create
    from panorama.service.services.case import case_open

    subject = _("Web chat message from %(name)s") % {"name": conversation.name}
    if conversation.customer_id:
        case = case_open(
            by=by,
            customer_id=conversation.customer_id,
            subject=subject[:200],
            description=body,
            channel=Interaction.Channel.CHAT,
        )
        return {"case": case.pk, "reference": case.reference}
    if conversation.phone:
        callback = callback_request_create(
            by=by,
            source=CallbackRequest.Source.WEBFORM,
            phone=conversation.phone,
            name=conversation.name,
            reason=f"{subject}: {body}",  # a TextField: the whole message
        )
        return {"callback": callback.pk}
    return {}


def conversation_for_visitor(*, site, token: str) -> Conversation:
    conversation = (
        Conversation.objects.filter(site=site, token=token).first()
        if isinstance(token, str) and 0 < len(token) <= 40
        else None
    )
    if conversation is None:
        raise NotFound(_("This chat does not exist."))
    return conversation


@transaction.atomic
def chat_visitor_send(*, conversation: Conversation, body) -> ChatMessage:
    body = _body(body)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.status in (S.CLOSED, S.OFFLINE):
        raise Conflict(_("This chat is closed: start a new one."))
    return _add(conversation, author=A.VISITOR, body=body)


# ---- agents -------------------------------------------------------------------------


def _may_see_all(user: User) -> bool:
    from panorama.accounts.models import Role

    return user.is_superuser or user.role in (Role.ADMIN, Role.SALES_MANAGER)


def conversations_visible_to(user: User):
    """Waiting and offline chats (nobody's yet) and his own; managers and
    administrators every chat. A chat of a known customer also needs the customer in
    his scope."""
    from django.db.models import Q

    from panorama.customers.selectors import scope_filter

    qs = Conversation.objects.all()
    if not _may_see_all(user):
        qs = qs.filter(Q(status__in=(S.WAITING, S.OFFLINE)) | Q(agent=user))
    if not user.sees_all_customers:
        qs = qs.filter(Q(customer__isnull=True) | scope_filter(user, "customer__"))
    return qs


def conversation_get(*, user: User, conversation_id: int, lock: bool = False) -> Conversation:
    qs = conversations_visible_to(user).select_related("customer", "agent", "site")
    if lock:
        qs = qs.select_for_update(of=("self",))
    conversation = qs.filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound(
            _("Chat %(id)s does not exist or is not visible to you.") % {"id": conversation_id}
        )
    return conversation


def _open(by: User, conversation_id: int) -> Conversation:
    ensure_can(by, "channels.chat")
    conversation = conversation_get(user=by, conversation_id=conversation_id, lock=True)
    if conversation.status in (S.CLOSED, S.OFFLINE):
        raise Conflict(_("This chat is closed."))
    return conversation


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.first_name or user.get_full_name() or user.username


@transaction.atomic
def chat_take(*, by: User, conversation_id: int) -> Conversation:
    """The agent takes a waiting chat (409 when another agent has it)."""
    conversation = _open(by, conversation_id)
    if conversation.agent_id == by.pk:
        return conversation
    if conversation.agent_id is not None:
        raise Conflict(
            _("%(agent)s is already answering this chat.") % {"agent": _name(conversation.agent)}
        )
    conversation.agent = by
    conversation.status = S.ACTIVE
    conversation.save(update_fields=["agent", "status"])
    _add(conversation, author=A.SYSTEM, body=_name(by), agent=by, event="taken")
    return conversation


@transaction.atomic
def chat_reply(*, by: User, conversation_id: int, body) -> ChatMessage:
    """The agent answers; a waiting chat is taken by his first answer."""
    body = _body(body)
    conversation = _open(by, conversation_id)
    if conversation.agent_id is None:
        chat_take(by=by, conversation_id=conversation.pk)
    elif conversation.agent_id != by.pk:
        raise Conflict(
            _("%(agent)s is answering this chat: ask him to transfer it.")
            % {"agent": _name(conversation.agent)}
        )
    message = _add(conversation, author=A.AGENT, body=body, agent=by)
    Conversation.objects.filter(pk=conversation.pk).update(agent_read_id=message.pk)
    return message


@transaction.atomic
def chat_transfer(*, by: User, conversation_id: int, to_user_id: int) -> Conversation:
    """Hand the chat to another agent (the one answering it, or a manager, may)."""
    conversation = _open(by, conversation_id)
    if conversation.agent_id not in (None, by.pk) and not _may_see_all(by):
        raise Conflict(_("Only the agent answering this chat can transfer it."))
    to = User.objects.filter(pk=to_user_id, is_active=True).first()
    if to is None or not can(to, "channels.chat"):
        raise ValidationFailed(_("Choose an active agent who answers chats."), field="to")
    if to.pk == conversation.agent_id:
        raise ValidationFailed(_("This agent already has the chat."), field="to")
    conversation.agent = to
    conversation.status = S.ACTIVE
    conversation.agent_read_id = 0
    conversation.save(update_fields=["agent", "status", "agent_read_id"])
    _add(conversation, author=A.SYSTEM, body=_name(to), agent=to, event="transferred")
    return conversation


def transcript(conversation: Conversation) -> str:
    lines = []
    for message in conversation.messages.select_related("agent").order_by("id"):
        if message.author == A.SYSTEM:
            continue
        who = conversation.name if message.author == A.VISITOR else _name(message.agent)
        lines.append(f"[{timezone.localtime(message.created_at):%H:%M}] {who}: {message.body}")
    return "\n".join(lines)


def _to_timeline(conversation: Conversation, *, by: User | None) -> Interaction:
    assert conversation.customer_id is not None
    first = conversation.messages.order_by("id").values_list("created_at", flat=True).first()
    offline = conversation.status == S.OFFLINE
    subject = (_("Web chat message from %(name)s") if offline else _("Web chat with %(name)s")) % {
        "name": conversation.name
    }
    end = conversation.closed_at or timezone.now()
    interaction = interaction_record(
        customer_id=conversation.customer_id,
        by=None,  # the record-level check was the chat's own (conversation_get)
        channel=Interaction.Channel.CHAT,
        direction=Interaction.Direction.INBOUND,
        subject=subject[:200],
        body=transcript(conversation),
        agent=conversation.agent,
        occurred_at=first or conversation.started_at,
        duration_seconds=None if offline else int((end - (first or end)).total_seconds()),
        related=None,
        metadata={"kind": "chat", "conversation": conversation.pk, "site": conversation.site_id},
    )
    conversation.interaction = interaction
    conversation.save(update_fields=["interaction"])
    return interaction


@transaction.atomic
def chat_close(
    *, by: User | None, conversation_id: int, conversation: Conversation | None = None
) -> Conversation:
    """End the chat (the agent, or the visitor with ``by`` None and his conversation).
    A known customer's chat lands on his timeline."""
    if by is not None:
        conversation = _open(by, conversation_id)
    else:
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.status in (S.CLOSED, S.OFFLINE):
            return conversation
    conversation.status = S.CLOSED
    conversation.closed_at = timezone.now()
    conversation.save(update_fields=["status", "closed_at"])
    _add(conversation, author=A.SYSTEM, body=_name(by) if by else "", agent=by, event="closed")
    interaction = _to_timeline(conversation, by=by) if conversation.customer_id else None
    emit(
        "chat.closed",
        conversation_id=conversation.pk,
        customer_id=conversation.customer_id,
        interaction_id=interaction.pk if interaction else None,
        by=by.pk if by else None,
    )
    return conversation


@transaction.atomic
def chat_link(*, by: User, conversation_id: int, customer_id: int) -> Conversation:
    """Give an unknown visitor's chat to a customer ``by`` sees (404 otherwise): a closed
    chat lands on his timeline, an offline message opens his case."""
    ensure_can(by, "channels.link_sender")
    conversation = conversation_get(user=by, conversation_id=conversation_id, lock=True)
    if conversation.customer_id is not None:
        raise Conflict(_("This chat already belongs to %(c)s.") % {"c": conversation.customer})
    customer = customer_get(user=by, customer_id=customer_id)
    conversation.customer = customer
    conversation.identified_by = "staff"
    conversation.save(update_fields=["customer", "identified_by"])
    if conversation.visitor_cookie:
        visitor_link(
            site=conversation.site,
            cookie=conversation.visitor_cookie,
            customer_id=customer.pk,
            via="chat",
        )
    if conversation.status == S.CLOSED:
        _to_timeline(conversation, by=by)
    elif conversation.status == S.OFFLINE and not conversation.follow_up:
        first = conversation.messages.filter(author=A.VISITOR).order_by("id").first()
        conversation.follow_up = _follow_up(conversation, body=first.body if first else "", by=by)
        conversation.save(update_fields=["follow_up"])  # a case is on his timeline
    return conversation


def chat_mark_read(*, by: User, conversation: Conversation, message_id: int) -> None:
    if conversation.agent_id == by.pk and message_id > conversation.agent_read_id:
        Conversation.objects.filter(pk=conversation.pk, agent_read_id__lt=message_id).update(
            agent_read_id=message_id
        )
