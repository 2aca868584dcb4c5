"""SMS and WhatsApp-style messages: sent through the account's provider, received and
reported on by its signed webhook. Every message is a ``TextMessage``; those of a known
customer land on his timeline (and on the case they answer: ``cases.py``), those of an
unknown number wait to be linked."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, DomainError, NotFound, ValidationFailed
from panorama.core.validation import rules_for
from panorama.customers import identifiers
from panorama.customers.models import Customer, Identity
from panorama.customers.selectors import customer_get, identify
from panorama.customers.services.customer import IdentityData, identity_add

from ..failures import failure_mark, failure_record, reason_kept
from ..mail.crypto import seal
from ..models import Interaction
from ..services import interaction_record
from .cases import text_to_case
from .models import MessagingAccount, TextMessage
from .provider import Inbound, ProviderError, parse_json, provider_for, signature_good

logger = logging.getLogger(__name__)
MAX_BODY = 1600  # ten SMS segments; a chat message is held to the same
M = TextMessage.Status


def _channel(account: MessagingAccount) -> str:
    return (
        Interaction.Channel.SMS
        if account.kind == MessagingAccount.Kind.SMS
        else (Interaction.Channel.CHAT)
    )


def _phone(raw: str, field: str = "number") -> str:
    try:
        return identifiers.normalise_phone(raw)
    except ValidationFailed:
        raise ValidationFailed(
            _("%(value)s is not a valid phone number.") % {"value": (raw or "").strip()[:40]},
            field=field,
        ) from None


@transaction.atomic
def messaging_account_save(
    *, by: User | None, account: MessagingAccount, api_key: str | None = None
) -> MessagingAccount:
    ensure_can(by, "channels.configure_channels")
    account.name = (account.name or "").strip()
    account.number = _phone(account.number)
    if api_key:
        account.api_key_sealed = seal(api_key)
    if not account.api_key_sealed:
        raise ValidationFailed(_("Give the provider's API key."), field="api_key")
    if len(account.webhook_secret or "") < 16:
        raise ValidationFailed(
            _("A webhook secret has at least 16 characters."), field="webhook_secret"
        )
    rules_for(MessagingAccount).check(account)
    if MessagingAccount.objects.filter(name=account.name).exclude(pk=account.pk).exists():
        raise Conflict(
            _("A messaging account named %(name)s already exists.") % {"name": account.name},
            field="name",
        )
    account.save()
    return account


def _account(account_id: int) -> MessagingAccount:
    account = MessagingAccount.objects.filter(pk=account_id, active=True).first()
    if account is None:
        raise NotFound(_("Messaging account %(id)s does not exist.") % {"id": account_id})
    return account


class MessageRefused(ValidationFailed):
    """The provider refused the message or could not be reached (422). The failed
    message is kept (``failed``); a caller whose own transaction rolls back keeps it again
    with ``message_failure_keep``."""

    def __init__(self, message: str, *, failed: TextMessage):
        super().__init__(message, field="body")
        self.failed = failed


def message_send(
    *, by: User | None, customer_id: int, account_id: int, body: str, number: str = ""
) -> TextMessage:
    """Send a text to a customer ``by`` sees (to ``number``, else his primary phone). A
    refusal by the provider is kept as a failed message and raised (``MessageRefused``)."""
    ensure_can(by, "channels.send")
    customer = _customer(by, customer_id)
    account = _account(account_id)
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("A message needs a text."), field="body")
    if len(body) > MAX_BODY or "\x00" in body:
        raise ValidationFailed(
            _("A message has at most %(n)s characters.") % {"n": MAX_BODY}, field="body"
        )
    if number:
        number = _phone(number)
    else:
        number = (
            customer.identities.filter(kind=Identity.Kind.PHONE)
            .order_by("-is_primary", "id")
            .values_list("value", flat=True)
            .first()
        ) or ""
        if not number:
            raise ValidationFailed(_("This customer has no phone number."), field="number")
    error, provider_id = "", ""
    try:
        provider_id = provider_for(account).send(account=account, to=number, body=body)
    except ProviderError as exc:
        error = reason_kept(str(exc))
    with transaction.atomic():
        message = TextMessage.objects.create(
            account=account,
            direction=Interaction.Direction.OUTBOUND,
            number=number,
            body=body,
            provider_id=provider_id,
            status=M.FAILED if error else M.QUEUED,
            error=error,
            customer=customer,
            sent_by=by,
        )
        if not error:
            message.interaction = interaction_record(
                customer_id=customer.pk,
                by=by,
                agent=by,
                channel=_channel(account),
                direction=Interaction.Direction.OUTBOUND,
                subject=_subject(account, outbound=True, number=number),
                body=body,
                outcome=str(M.QUEUED.label),
                metadata={"kind": account.kind, "text_message_id": message.pk, "number": number},
            )
        else:
            message.interaction = _failure_entry(
                message, account, customer_id=customer.pk, agent=by
            )
        message.save(update_fields=["interaction"])
        emit(
            "message.sent",
            message_id=message.pk,
            customer_id=customer.pk,
            status=message.status,
            by=by.pk if by else None,
        )
    if error:
        raise MessageRefused(
            _("The provider did not accept the message: %(error)s") % {"error": error},
            failed=message,
        )
    return message


def _failure_entry(
    message: TextMessage,
    account: MessagingAccount,
    *,
    customer_id: int,
    agent: User | None,
    source: tuple[str, str, int | None] | None = None,
) -> Interaction:
    """The refused text on the customer's timeline, as failed (``failures.py``)."""
    return failure_record(
        customer_id=customer_id,
        agent=agent,
        channel=_channel(account),
        kind=account.kind,
        subject=_subject(account, outbound=True, number=message.number),
        body=message.body,
        error=message.error,
        source=source,
        metadata={"text_message_id": message.pk, "number": message.number},
    )


@transaction.atomic
def message_failure_keep(
    *, failed: TextMessage, source: tuple[str, str, int | None] | None = None
) -> TextMessage:
    """Record a refused message again, as ``message_send`` kept it, after the caller's
    transaction rolled it back with the rest of its writes (a rule's run: its other
    actions undone, the failed SMS kept, on the timeline as failed; ``source``: the
    rule). Nothing is written when it is still there."""
    if failed.pk is not None and TextMessage.objects.filter(pk=failed.pk).exists():
        return failed
    message = TextMessage.objects.create(
        account_id=failed.account_id,
        direction=Interaction.Direction.OUTBOUND,
        number=failed.number,
        body=failed.body,
        status=M.FAILED,
        error=failed.error,
        customer_id=failed.customer_id,
        sent_by_id=failed.sent_by_id,
    )
    if message.customer_id:
        message.interaction = _failure_entry(
            message,
            message.account,
            customer_id=message.customer_id,
            agent=message.sent_by,
            source=source,
        )
        message.save(update_fields=["interaction"])
    emit(
        "message.sent",
        message_id=message.pk,
        customer_id=message.customer_id,
        status=message.status,
        by=message.sent_by_id,
    )
    return message


def _subject(account: MessagingAccount, *, outbound: bool, number: str) -> str:
    kind = account.get_kind_display()
    template = _("%(kind)s to %(number)s") if outbound else _("%(kind)s from %(number)s")
    return (template % {"kind": kind, "number": number})[:200]


def _customer(by: User | None, customer_id: int) -> Customer:
    if by is not None:
        return customer_get(user=by, customer_id=customer_id)
    customer = Customer.objects.filter(pk=customer_id, merged_into__isnull=True).first()
    if customer is None:
        raise NotFound(_("Customer %(id)s does not exist.") % {"id": customer_id})
    return customer


class SignatureRefused(DomainError):
    """401: the webhook call is not signed with the account's secret."""

    status_code = 401
    code = "unauthenticated"


def webhook_receive(*, account_id: int, body: bytes, signature: str) -> tuple[int, str, int]:
    """A provider's webhook call: (HTTP status, message, text message id). A bad
    signature is refused (401) before anything in the body is read or stored."""
    account = (
        MessagingAccount.objects.filter(pk=account_id, active=True).first()
        if 0 < account_id < 2**62
        else None
    )
    if account is None or not signature_good(account.webhook_secret, body, signature):
        # One answer for both: a caller without the secret learns nothing about ids.
        raise SignatureRefused(
            _(
                "Bad or missing signature: send X-Panorama-Signature, the HMAC-SHA256 of "
                "the body with the account's webhook secret (docs/messaging.md); this "
                "webhook takes no Bearer token."
            )
        )
    try:
        item = provider_for(account).read(parse_json(body))
    except ValueError as exc:
        raise ValidationFailed(
            _("The webhook body is not valid: %(error)s") % {"error": exc}, field="body"
        ) from exc
    with transaction.atomic():
        if isinstance(item, Inbound):
            message, created = _inbound(account, item)
            return (201 if created else 200), _("Message received."), message.pk
        message = _status(account, item.provider_id, item.status, item.error)
        return 200, _("Status recorded."), message.pk


def _inbound(account: MessagingAccount, item: Inbound) -> tuple[TextMessage, bool]:
    seen = TextMessage.objects.filter(
        account=account, direction=Interaction.Direction.INBOUND, provider_id=item.provider_id
    ).first()
    if seen is not None:  # the provider retried: at least once, stored once
        return seen, False
    try:
        number = identifiers.normalise_phone(item.number)
    except ValidationFailed:
        number = item.number  # kept as sent: listed with the unknown numbers
    message = TextMessage.objects.create(
        account=account,
        direction=Interaction.Direction.INBOUND,
        number=number[:20],
        body=item.body.replace("\x00", "")[: MAX_BODY * 4],
        provider_id=item.provider_id,
        status=M.UNKNOWN,
    )
    matches = identify(user=None, value=number, kind="phone") if number.startswith("+") else []
    if len(matches) == 1:
        _deliver(message, matches[0].customer, by=None, occurred_at=item.received_at)
        text_to_case(message)  # his answer to an open case answered on this thread
    emit(
        "message.received",
        message_id=message.pk,
        customer_id=message.customer_id,
        kind=account.kind,
    )
    return message, True


def _deliver(message: TextMessage, customer: Customer, *, by: User | None, occurred_at=None):
    if occurred_at is not None and occurred_at > timezone.now():
        occurred_at = None
    message.status, message.customer = M.RECEIVED, customer
    message.interaction = interaction_record(
        customer_id=customer.pk,
        by=None,
        channel=_channel(message.account),
        direction=Interaction.Direction.INBOUND,
        subject=_subject(message.account, outbound=False, number=message.number),
        body=message.body,
        occurred_at=occurred_at or message.created_at,
        metadata={
            "kind": message.account.kind,
            "text_message_id": message.pk,
            "number": message.number,
        },
    )
    message.save(update_fields=["status", "customer", "interaction", "updated_at"])


ORDER = {M.QUEUED: 0, M.SENT: 1, M.DELIVERED: 2, M.FAILED: 2}


def _status(account: MessagingAccount, provider_id: str, status: str, error: str) -> TextMessage:
    message = (
        TextMessage.objects.select_for_update()
        .filter(account=account, direction=Interaction.Direction.OUTBOUND, provider_id=provider_id)
        .first()
    )
    if message is None:
        raise NotFound(_("No message %(id)s was sent.") % {"id": provider_id})
    # Reports may arrive out of order: "sent" after "delivered" changes nothing.
    if ORDER[M(status)] >= ORDER.get(M(message.status), 0) and message.status != status:
        message.status, message.error = status, reason_kept(error)
        message.save(update_fields=["status", "error", "updated_at"])
        if status == M.FAILED:  # the entry becomes a failed one, with the reason
            failure_mark(interaction_id=message.interaction_id, error=error)
        elif message.interaction_id:
            Interaction.objects.filter(pk=message.interaction_id).update(
                outcome=M(status).label[:100]
            )
        emit(
            "message.status_changed",
            message_id=message.pk,
            customer_id=message.customer_id,
            status=status,
        )
    return message


def number_remember(*, customer: Customer, number: str, by: User | None) -> None:
    """Add ``number`` to the customer's phones unless he has it."""
    if not customer.identities.filter(kind=Identity.Kind.PHONE, value=number).exists():
        identity_add(
            customer=customer, item=IdentityData(kind=Identity.Kind.PHONE, value=number), by=by
        )


@transaction.atomic
def number_link(*, by: User | None, number: str, customer_id: int, remember: bool = True) -> int:
    """Give every waiting message (and fax) of an unknown number to a customer ``by``
    sees; ``remember`` adds the number to his phones. A text that answers an open case
    of his (``cases.text_to_case``: a reply went out on that thread) lands on the case,
    oldest first, as it would have had the number been known. Returns how many were
    given."""
    from ..fax.models import Fax
    from ..fax.services import fax_link

    ensure_can(by, "channels.link_sender")
    customer = _customer(by, customer_id)
    number = (number or "").strip()
    messages = list(
        TextMessage.objects.select_for_update(of=("self",))
        .filter(status=M.UNKNOWN, number=number)
        .select_related("account")
        .order_by("created_at", "id")
    )
    faxes = list(
        Fax.objects.filter(status=Fax.Status.UNKNOWN, number=number).values_list("pk", flat=True)
    )
    if not messages and not faxes:
        raise NotFound(_("Nothing from %(number)s waits for a customer.") % {"number": number})
    if remember and number.startswith("+"):
        number_remember(customer=customer, number=number, by=by)
    for message in messages:
        _deliver(message, customer, by=by)
        # As one from a known number: his answer to an open case answered on this thread.
        text_to_case(message)
    for fax_id in faxes:
        fax_link(by=by, fax_id=fax_id, customer_id=customer.pk, remember=False)
    return len(messages) + len(faxes)
