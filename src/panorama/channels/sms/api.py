"""/api/v1/channels/messaging/...: provider accounts (administrators), the providers'
signed webhook (no login: the signature is the authentication), texts to a customer,
and the unknown numbers to link."""

from django.utils.translation import gettext as _
from ninja import Router, Status

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import NotFound

from . import selectors, services
from .models import MessagingAccount
from .schemas import (
    MessageSendIn,
    MessagingAccountIn,
    MessagingAccountOut,
    NumberLinkIn,
    NumberLinkOut,
    TextMessageOut,
    UnknownNumberOut,
    WebhookOut,
)

router = Router(tags=["messaging"])


def _fill(account: MessagingAccount, payload: MessagingAccountIn) -> MessagingAccount:
    for name, value in payload.dict(exclude={"api_key", "webhook_secret"}).items():
        setattr(account, name, value)
    if payload.webhook_secret:
        account.webhook_secret = payload.webhook_secret
    return account


@router.get("/channels/messaging/accounts", response=list[MessagingAccountOut])
def account_list(request):
    return list(MessagingAccount.objects.filter(active=True))


@router.post("/channels/messaging/accounts", response={201: MessagingAccountOut})
def account_create(request, payload: MessagingAccountIn):
    account = services.messaging_account_save(
        by=request.user, account=_fill(MessagingAccount(), payload), api_key=payload.api_key
    )
    return Status(201, account)


@router.put("/channels/messaging/accounts/{account_id}", response=MessagingAccountOut)
def account_update(request, account_id: int, payload: MessagingAccountIn):
    ensure_can(request.user, "channels.configure_channels")
    account = MessagingAccount.objects.filter(pk=account_id).first()
    if account is None:
        raise NotFound(_("Messaging account %(id)s does not exist.") % {"id": account_id})
    return services.messaging_account_save(
        by=request.user, account=_fill(account, payload), api_key=payload.api_key
    )


@router.post(
    "/channels/messaging/{account_id}/webhook",
    auth=None,
    response={200: WebhookOut, 201: WebhookOut},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def webhook(request, account_id: int):
    """A provider posts an inbound message or a delivery report (docs/messaging.md),
    signed: ``X-Panorama-Signature: sha256=<HMAC-SHA256 of the body>``. Refusals are
    401 (signature), 404 (a report on an unknown message), 422 (a bad body)."""
    status, detail, message_id = services.webhook_receive(
        account_id=account_id,
        body=request.body,
        signature=request.headers.get("X-Panorama-Signature", ""),
    )
    return Status(status, {"detail": detail, "message": message_id})


@router.post("/customers/{customer_id}/messages", response={201: TextMessageOut})
def message_send(request, customer_id: int, payload: MessageSendIn):
    """Send an SMS or chat message to the customer through an account."""
    return Status(
        201, services.message_send(by=request.user, customer_id=customer_id, **payload.dict())
    )


@router.get("/customers/{customer_id}/messages", response=list[TextMessageOut])
def message_list(request, customer_id: int, limit: int = 50):
    return selectors.text_messages(user=request.user, customer_id=customer_id, limit=limit)


@router.get("/channels/unknown-numbers", response=list[UnknownNumberOut])
def unknown_number_list(request):
    """Numbers whose messages or faxes wait for a customer."""
    return selectors.unknown_numbers(user=request.user)


@router.post("/channels/unknown-numbers/link", response=NumberLinkOut)
def unknown_number_link(request, payload: NumberLinkIn):
    return {
        "linked": services.number_link(
            by=request.user,
            number=payload.number,
            customer_id=payload.customer_id,
            remember=payload.remember,
        )
    }
