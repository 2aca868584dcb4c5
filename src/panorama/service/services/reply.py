"""A reply to the customer goes out on his channel: by e-mail (the channels' outbound
mail) when the case came by e-mail or he has an address. It is sent after the commit of
the reply (``case_message_add`` schedules ``reply_deliver``), from a sending identity
of the agent — the case mailbox's address first, so the customer's answer comes back
to it —, threaded on the customer's last message (``In-Reply-To``/``References``) with
the case reference in the subject, so the answer threads into the same case
(``channels/mail/cases.py``); by SMS, through the channels' SMS adapter, when the case
came by SMS. The outcome is kept on the message (``delivery``): a
failure is shown on the case, never lost. Internal notes are never sent."""

import logging
import re

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.channels.failures import failure_record
from panorama.channels.models import Interaction
from panorama.channels.outbound.models import SendingIdentity, SentMail
from panorama.channels.outbound.services import (
    Thread,
    customer_email,
    identities_usable,
    mail_deliver,
)
from panorama.channels.services import interaction_metadata_merge, interaction_record

from ..models import Case, CaseMessage
from .attachment import timeline_files

logger = logging.getLogger(__name__)
D = CaseMessage.Delivery
RE_PREFIX = re.compile(r"^\s*(re|aw|rv|fwd?)\s*:\s*", re.IGNORECASE)


def _last_mail(case: Case):
    """The customer's last e-mail on the case (the ledger entry of the case mailbox)."""
    from panorama.channels.mail.models import MailEntry

    return (
        MailEntry.objects.filter(case=case, status=MailEntry.Status.IMPORTED)
        .select_related("mailbox")
        .order_by("-id")
        .first()
    )


def reply_address(case: Case) -> str:
    """Where a reply goes by e-mail: the address the customer last wrote from, else his
    e-mail; "" when there is none."""
    last = _last_mail(case)
    if last is not None and last.from_address:
        return last.from_address
    return customer_email(case.customer)


def reply_subject(case: Case, last_subject: str = "") -> str:
    """``Re: [C-000123] <his subject>``: the reference the inbound path threads on."""
    base = (last_subject or case.subject or "").strip()
    while RE_PREFIX.match(base):
        base = RE_PREFIX.sub("", base, count=1).strip()
    if case.reference and case.reference not in base:
        base = f"[{case.reference}] {base}"
    return " ".join(f"Re: {base}".split())[:200]


def _identity(author: User | None, addresses: list[str]) -> SendingIdentity | None:
    usable = list(identities_usable(author).order_by("id"))
    for address in addresses:
        for identity in usable:
            if address and identity.from_address.lower() == address.lower():
                return identity
    return usable[0] if usable else None


def reply_channel(case: Case) -> str:
    """How a reply to the case goes out: "sms" for a case that came by SMS, "email" for
    one that came by e-mail or whose customer has an address, "" (recorded only)."""
    if case.channel == Interaction.Channel.SMS:
        return "sms"
    if case.channel == Interaction.Channel.EMAIL or reply_address(case):
        return "email"
    return ""


def _sms_deliver(message: CaseMessage) -> CaseMessage:
    """Through the channels' SMS adapter: the account and number the customer last
    wrote from, else the first SMS account and his primary phone."""
    from panorama.channels.sms.models import MessagingAccount, TextMessage
    from panorama.channels.sms.services import message_send
    from panorama.core.exceptions import DomainError

    case = message.case
    last = (
        TextMessage.objects.filter(
            customer_id=case.customer_id,
            direction=Interaction.Direction.INBOUND,
            account__kind=MessagingAccount.Kind.SMS,
            account__active=True,
        )
        .order_by("-id")
        .first()
    )
    account_id = (
        last.account_id
        if last
        else MessagingAccount.objects.filter(kind=MessagingAccount.Kind.SMS, active=True)
        .order_by("id")
        .values_list("pk", flat=True)
        .first()
    )
    if account_id is None:
        return _outcome(message, D.FAILED, _("No SMS account is set up to answer by SMS."))
    try:
        sms = message_send(
            by=message.author,
            customer_id=case.customer_id,
            account_id=account_id,
            body=message.body,
            number=last.number if last else "",
        )
    except DomainError as exc:
        failed = getattr(exc, "failed", None)  # MessageRefused: the text's failed entry
        return _outcome(
            message,
            D.FAILED,
            str(exc.message),
            channel=Interaction.Channel.SMS,
            interaction=failed.interaction if failed is not None else None,
        )
    return _outcome(message, D.SENT, "", interaction=sms.interaction)


def reply_deliver(message_id: int) -> CaseMessage:
    """Send one pending reply and keep the outcome on it (run after the reply's commit).
    Never raises: anything that goes wrong is the message's ``delivery_error``."""
    message = CaseMessage.objects.select_related("case__customer", "case__queue", "author").get(
        pk=message_id
    )
    if message.delivery != D.PENDING:
        return message
    case = message.case
    try:
        if reply_channel(case) == "sms":
            return _sms_deliver(message)
        last = _last_mail(case)
        mailbox_address = last.mailbox.address if last and last.mailbox else ""
        queue_address = case.queue.email if case.queue else ""
        identity = _identity(message.author, [mailbox_address, queue_address])
        if identity is None:
            return _outcome(
                message,
                D.FAILED,
                _("No sending identity that %(user)s may use: ask an administrator for one.")
                % {"user": message.author or _("the system")},
            )
        to_address = reply_address(case)
        if not to_address:
            return _outcome(
                message, D.NO_ADDRESS, _("The customer has no e-mail address to answer to.")
            )
        thread = None
        if last is not None and last.message_id:
            references = f"{last.references} {last.message_id}".strip()
            thread = Thread(last.message_id, references, "")
        subject = reply_subject(case, last.subject if last else "")
        reply_to = next(
            (a for a in (mailbox_address, queue_address) if a and a != identity.from_address), ""
        )
        sent = mail_deliver(
            by=message.author,
            customer=case.customer,
            identity=identity,
            to_address=to_address,
            subject=subject,
            body=message.body,
            thread=thread,
            reply_to_address=reply_to,
            attachments=_attachments(message),
            related=case,
        )
    except Exception as exc:  # kept on the message: the agent sees it and can resend
        logger.exception("reply %s on case %s could not be sent", message.pk, case.reference)
        return _outcome(message, D.FAILED, f"{type(exc).__name__}: {exc}"[:1000])
    if sent.status == SentMail.Status.FAILED:
        return _outcome(message, D.FAILED, sent.error, sent_mail=sent, interaction=sent.interaction)
    return _outcome(message, D.SENT, "", sent_mail=sent, interaction=sent.interaction)


def _attachments(message: CaseMessage) -> list[tuple[str, bytes, str]]:
    files = []
    for attachment in message.attachments.filter(removed_at__isnull=True):
        with attachment.file.open("rb") as handle:
            files.append((attachment.filename, handle.read(), attachment.content_type))
    return files


@transaction.atomic
def _outcome(
    message: CaseMessage,
    delivery: str,
    error: str,
    *,
    sent_mail: SentMail | None = None,
    interaction: Interaction | None = None,
    channel: str = Interaction.Channel.EMAIL,
) -> CaseMessage:
    message.delivery, message.delivery_error, message.sent_mail = delivery, error, sent_mail
    retry = {"kind": "case_message", "message_id": message.pk}
    if interaction is None and delivery == D.FAILED:
        # Not sent: the reply is still on the timeline, as a failed message (the
        # channels' failed messages page lists it, and a retry sends it again here).
        interaction = failure_record(
            customer_id=message.case.customer_id,
            agent=message.author,
            channel=channel,
            kind="case_message",
            subject=_("Reply on case %(ref)s (not sent)") % {"ref": message.case.reference},
            body=message.body,
            error=error,
            related=message.case,
            metadata={"message_id": message.pk},
        )
    elif interaction is None:
        # Not sent (no address): the reply is still on the timeline, saying so.
        interaction = interaction_record(
            customer_id=message.case.customer_id,
            by=None,
            agent=message.author,
            channel=channel,
            direction=Interaction.Direction.OUTBOUND,
            subject=_("Reply on case %(ref)s (not sent)") % {"ref": message.case.reference},
            body=message.body,
            outcome=str(D(delivery).label),
            related=message.case,
            metadata={**retry, "error": error},
        )
    elif interaction.failed:
        # The channel's own failed entry (the refused e-mail or text): a retry goes
        # through the case, so the reply's delivery follows it.
        interaction_metadata_merge(interaction_id=interaction.pk, values=retry)
        if interaction.related_id is None:
            Interaction.objects.filter(pk=interaction.pk).update(
                related_type=ContentType.objects.get_for_model(Case), related_id=message.case_id
            )
    message.interaction = interaction
    message.save(update_fields=["delivery", "delivery_error", "sent_mail", "interaction"])
    timeline_files(message)  # the ficha names the files the reply carried
    interaction.refresh_from_db(fields=["metadata"])
    return message


def reply_retry(by: User | None, failure: Interaction) -> Interaction:
    """Send a reply that was not sent again (the channels' failed messages page or API),
    through ``reply_deliver``: from the reply's author's identity, on the case's channel,
    the outcome kept on the reply. ``by`` must be allowed to answer cases; a refusal
    again is a 422 with the server's answer. Registered in ``ServiceConfig.ready``."""
    from panorama.accounts.permissions import ensure_can
    from panorama.core.exceptions import NotFound, ValidationFailed

    ensure_can(by, "service.edit")
    message = (
        CaseMessage.objects.filter(
            pk=(failure.metadata or {}).get("message_id") or 0,
            case__customer_id=failure.customer_id,
        )
        .select_related("case")
        .first()
    )
    if message is None:
        raise NotFound(_("The reply of this failed message no longer exists."))
    CaseMessage.objects.filter(pk=message.pk).update(delivery=D.PENDING, delivery_error="")
    message = reply_deliver(message.pk)
    if message.delivery != D.SENT or message.interaction is None:
        raise ValidationFailed(
            _("The reply was not sent: %(error)s") % {"error": message.delivery_error},
            field="retry",
        )
    return message.interaction
