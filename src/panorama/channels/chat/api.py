"""/api/v1/channels/chats/...: the agents' chats (queue, messages, reply, take,
transfer, close, link) and /api/v1/channels/sites: tracked sites (administrators and
managers), through the same services as the pages. The widget's own endpoints are
public views (chat/widget.py), not this API."""

from django.utils.translation import gettext as _
from ninja import Router, Status

from panorama.accounts.permissions import ensure_can
from panorama.automation.models import TrackedSite
from panorama.automation.services.tracking import tracked_site_save
from panorama.core.exceptions import NotFound, ValidationFailed

from . import selectors, services
from .schemas import (
    ChatLinkIn,
    ChatMessageOut,
    ChatReplyIn,
    ChatTransferIn,
    ConversationOut,
    TrackedSiteIn,
    TrackedSiteOut,
)

router = Router(tags=["chat"])
TABS = ("waiting", "mine", "offline", "closed", "all")


@router.get("/channels/chats", response=list[ConversationOut])
def chat_list(request, tab: str = "waiting"):
    ensure_can(request.user, "channels.chat")
    if tab not in TABS:
        raise ValidationFailed(
            _("tab is one of %(tabs)s.") % {"tabs": ", ".join(TABS)}, field="tab"
        )
    return list(selectors.chat_queue(user=request.user, tab=tab).order_by("-started_at")[:200])


@router.get("/channels/chats/{conversation_id}/messages", response=list[ChatMessageOut])
def chat_messages(request, conversation_id: int, after: int = 0):
    ensure_can(request.user, "channels.chat")
    conversation = services.conversation_get(user=request.user, conversation_id=conversation_id)
    return selectors.message_rows(
        conversation_id=conversation.pk, after=max(after, 0), for_agent=True
    )


@router.post("/channels/chats/{conversation_id}/messages", response={201: ChatMessageOut})
def chat_reply(request, conversation_id: int, payload: ChatReplyIn):
    message = services.chat_reply(
        by=request.user, conversation_id=conversation_id, body=payload.body
    )
    rows = selectors.message_rows(
        conversation_id=conversation_id, after=message.pk - 1, for_agent=True
    )
    return Status(201, rows[0])


@router.post("/channels/chats/{conversation_id}/take", response=ConversationOut)
def chat_take(request, conversation_id: int):
    return services.chat_take(by=request.user, conversation_id=conversation_id)


@router.post("/channels/chats/{conversation_id}/transfer", response=ConversationOut)
def chat_transfer(request, conversation_id: int, payload: ChatTransferIn):
    return services.chat_transfer(
        by=request.user, conversation_id=conversation_id, to_user_id=payload.to_user_id
    )


@router.post("/channels/chats/{conversation_id}/close", response=ConversationOut)
def chat_close(request, conversation_id: int):
    return services.chat_close(by=request.user, conversation_id=conversation_id)


@router.post("/channels/chats/{conversation_id}/link", response=ConversationOut)
def chat_link(request, conversation_id: int, payload: ChatLinkIn):
    return services.chat_link(
        by=request.user, conversation_id=conversation_id, customer_id=payload.customer_id
    )


def _site(site: TrackedSite, payload: TrackedSiteIn) -> TrackedSite:
    for name, value in payload.dict(exclude={"origins"}).items():
        setattr(site, name, value)
    site.origins = "\n".join(payload.origins)
    return site


@router.get("/channels/sites", response=list[TrackedSiteOut])
def site_list(request):
    ensure_can(request.user, "channels.configure_channels")
    return list(TrackedSite.objects.order_by("name")[:500])


@router.post("/channels/sites", response={201: TrackedSiteOut})
def site_create(request, payload: TrackedSiteIn):
    return Status(201, tracked_site_save(by=request.user, site=_site(TrackedSite(), payload)))


@router.put("/channels/sites/{site_id}", response=TrackedSiteOut)
def site_update(request, site_id: int, payload: TrackedSiteIn):
    ensure_can(request.user, "channels.configure_channels")
    site = TrackedSite.objects.filter(pk=site_id).first()
    if site is None:
        raise NotFound(_("Tracked site %(id)s does not exist.") % {"id": site_id})
    return tracked_site_save(by=request.user, site=_site(site, payload))
