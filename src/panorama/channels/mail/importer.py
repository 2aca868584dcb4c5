"""One inbound message into Panorama: the one code path of the IMAP poller, the piped
``panorama mail receive`` and the ledger's retry.

Every message gets a ledger line (``MailEntry``) with its raw bytes kept:
- imported: a known sender (``identify``), an e-mail on his timeline, threaded by
  Message-ID / In-Reply-To / References, attachments stored; with a case mailbox, a case;
- unknown: nobody (or several customers) has the address, listed for linking;
- skipped: a duplicate (same Message-ID already in), or a loop (an automatic message,
  or one sent by one of our own mailboxes), with the reason;
- failed: the error, and a retry.
"""

import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.core.events import emit
from panorama.customers.models import Customer
from panorama.customers.selectors import identify

from ..models import Interaction
from ..services import interaction_record
from .models import MailAttachment, Mailbox, MailEntry
from .parse import Parsed, parse

logger = logging.getLogger(__name__)
S, R = MailEntry.Status, MailEntry.Reason


def max_attachment_bytes() -> int:
    return int(getattr(settings, "PANORAMA_MAIL_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))


def mail_import(
    *,
    raw: bytes,
    mailbox: Mailbox | None = None,
    uid: int | None = None,
    uidvalidity: int | None = None,
    own: set[str] | None = None,
    unledgered: bool = False,
) -> MailEntry:
    """Ledger and deliver one raw message. Idempotent per (mailbox, UIDVALIDITY, UID);
    never raises for what is in the message: a failure is a ledger line. ``own``: our
    mailboxes' addresses, when the caller (a poll of hundreds) read them once;
    ``unledgered``: the caller looked the UID up with its batch's and found no line."""
    if uid is not None and not unledgered:
        seen = MailEntry.objects.filter(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid).first()
        if seen is not None:
            return seen
    entry = MailEntry(mailbox=mailbox, uid=uid, uidvalidity=uidvalidity, size=len(raw))
    try:
        with transaction.atomic():
            entry.raw.save(_raw_name(), ContentFile(raw), save=False)
            _process(entry, raw, own)
    except Exception as exc:
        logger.exception("mail import failed (mailbox %s, uid %s)", mailbox, uid)
        entry = _failed(mailbox=mailbox, uid=uid, uidvalidity=uidvalidity, raw=raw, exc=exc)
    return entry


def _raw_name() -> str:
    return f"{uuid.uuid4().hex}.eml"


def _failed(*, mailbox, uid, uidvalidity, raw: bytes, exc: Exception) -> MailEntry:
    entry = MailEntry(
        mailbox=mailbox,
        uid=uid,
        uidvalidity=uidvalidity,
        size=len(raw),
        status=S.FAILED,
        reason=R.ERROR,
        detail=f"{type(exc).__name__}: {exc}"[:2000],
        message_id=f"<failed-{uuid.uuid4().hex}@panorama.invalid>",
    )
    with transaction.atomic():
        entry.raw.save(_raw_name(), ContentFile(raw), save=False)
        entry.save()
        _emit(entry)
    return entry


def _emit(entry: MailEntry) -> None:
    emit(
        "mail.received",
        entry_id=entry.pk,
        mailbox_id=entry.mailbox_id,
        status=entry.status,
        reason=entry.reason,
        customer_id=entry.customer_id,
    )


def own_addresses() -> set[str]:
    """Our mailboxes' addresses: a message from one of them is a loop."""
    return {a.lower() for a in Mailbox.objects.values_list("address", flat=True)}


def _process(entry: MailEntry, raw: bytes, own: set[str] | None = None) -> None:
    """Fill and save ``entry`` from ``raw`` (inside the caller's transaction)."""
    parsed = parse(raw)
    entry.message_id = parsed.message_id
    entry.in_reply_to = parsed.in_reply_to
    entry.references = " ".join(parsed.references)
    entry.from_address = parsed.from_address
    entry.from_name = parsed.from_name
    entry.subject = parsed.subject
    entry.sent_at = parsed.sent_at
    notes = list(parsed.notes)
    duplicate = (
        MailEntry.objects.filter(message_id=parsed.message_id, status__in=[S.IMPORTED, S.UNKNOWN])
        .exclude(pk=entry.pk)
        .exists()
    )
    if duplicate:
        _finish(entry, S.SKIPPED, R.DUPLICATE, notes, _("This message was already received."))
        return
    from ..outbound.bounces import bounce_dispatch

    local = parsed.from_address.split("@")[0]
    maybe_report = (
        parsed.auto_submitted
        or local in ("mailer-daemon", "postmaster")
        or b"multipart/report" in raw
        or b"X-Failed-Recipients" in raw
    )
    bounced = bounce_dispatch(raw) if maybe_report else None
    if bounced is not None:
        entry.customer_id = bounced.customer_id
        _finish(entry, S.SKIPPED, R.BOUNCE, notes, bounced.detail)
        return
    if is_fax(entry, parsed):
        from ..fax.services import fax_from_mail

        fax_from_mail(entry=entry, parsed=parsed, notes=notes)
        return
    if parsed.from_address and parsed.from_address in (own or own_addresses()):
        _finish(entry, S.SKIPPED, R.OWN_ADDRESS, notes, _("Sent by one of our mailboxes."))
        return
    if parsed.auto_submitted:
        _finish(
            entry,
            S.SKIPPED,
            R.AUTO_SUBMITTED,
            notes,
            _("An automatic message (auto-reply, bounce or notification): not imported."),
        )
        return
    if not parsed.from_address:
        _finish(entry, S.UNKNOWN, R.NO_SENDER, notes, _("The message has no sender address."))
        return
    matches = identify(user=None, value=parsed.from_address, kind="email")
    if entry.mailbox is not None and entry.mailbox.creates_leads:
        from .leads import lead_from_message

        customer = matches[0].customer if len(matches) == 1 else None
        if parsed.attachments:
            entry.save()
        lead_from_message(entry=entry, parsed=parsed, customer=customer, notes=notes)
        if customer is not None:
            deliver(entry=entry, parsed=parsed, customer=customer, notes=notes)
        else:
            _finish(entry, S.IMPORTED, R.NONE, notes, "")
        return
    if len(matches) != 1:
        reason = R.AMBIGUOUS if matches else R.NONE
        detail = (
            _("%(n)s customers have this address: link the message to one.") % {"n": len(matches)}
            if matches
            else ""
        )
        _finish(entry, S.UNKNOWN, reason, notes, detail)
        return
    if parsed.attachments:
        entry.save()  # the attachments point at it
    deliver(entry=entry, parsed=parsed, customer=matches[0].customer, notes=notes)


def fax_addresses() -> set[str]:
    """Fax gateway addresses for messages piped by the MTA (no mailbox): a message to
    one of them is a fax (``PANORAMA_FAX_INBOUND_ADDRESSES``)."""
    return {a.lower() for a in getattr(settings, "PANORAMA_FAX_INBOUND_ADDRESSES", [])}


def is_fax(entry: MailEntry, parsed: Parsed) -> bool:
    if entry.mailbox is not None:
        return entry.mailbox.receives_faxes
    return bool(set(parsed.to_addresses) & fax_addresses())


def _finish(entry: MailEntry, status: str, reason: str, notes: list[str], detail: str) -> None:
    entry.status, entry.reason = status, reason
    entry.detail = "\n".join([detail, *notes] if detail else notes)[:4000]
    entry.save()
    _emit(entry)


def deliver(*, entry: MailEntry, parsed: Parsed, customer: Customer, notes: list[str]) -> None:
    """The message onto ``customer``'s timeline (and into a case for a case mailbox)."""
    attachments, attachment_notes = _store_attachments(entry, parsed)
    notes = notes + attachment_notes
    case = None
    mailbox = entry.mailbox
    if mailbox is not None and mailbox.creates_cases:
        from .cases import case_for_message

        case = case_for_message(entry=entry, parsed=parsed, customer=customer)
    occurred = parsed.sent_at if parsed.sent_at and parsed.sent_at <= timezone.now() else None
    interaction = interaction_record(
        customer_id=customer.pk,
        by=None,
        agent=mailbox.owner if mailbox else None,
        channel=Interaction.Channel.EMAIL,
        direction=Interaction.Direction.INBOUND,
        subject=(parsed.subject or _("(no subject)"))[:200],
        body=parsed.text,
        occurred_at=occurred,
        related=case or entry.lead,
        metadata=_metadata(entry, parsed, attachments),
    )
    entry.customer, entry.interaction, entry.case = customer, interaction, case
    entry.status, entry.reason = S.IMPORTED, R.NONE
    entry.detail = "\n".join(notes)[:4000]
    entry.save()
    if case is not None:
        from .cases import case_record_message

        case_record_message(entry=entry, parsed=parsed, case=case, interaction=interaction)
    _emit(entry)


def _metadata(entry: MailEntry, parsed: Parsed, attachments: list[MailAttachment]) -> dict:
    from ..outbound.models import SentMail

    parent = (
        MailEntry.objects.filter(message_id__in=parsed.thread_ids(), interaction__isnull=False)
        .exclude(pk=entry.pk)
        .values_list("interaction_id", flat=True)
        .first()
        if parsed.thread_ids()
        else None
    )
    if parent is None and parsed.thread_ids():
        # An answer to a message we sent from Panorama (outbound/): same thread.
        parent = (
            SentMail.objects.filter(message_id__in=parsed.thread_ids(), interaction__isnull=False)
            .values_list("interaction_id", flat=True)
            .first()
        )
    return {
        "kind": "email",
        "message_id": parsed.message_id,
        "from": parsed.from_address,
        "in_reply_to": parsed.in_reply_to,
        "references": " ".join(parsed.references),
        "thread_parent": parent,
        "attachments": [
            {"id": a.pk, "name": a.filename, "size": a.size, "stored": a.stored}
            for a in attachments
        ],
    }


def _store_attachments(entry: MailEntry, parsed: Parsed) -> tuple[list[MailAttachment], list[str]]:
    notes: list[str] = []
    stored: list[MailAttachment] = []
    limit = max_attachment_bytes()
    if entry.attempts > 1 or entry.status:  # a retry or a late link stores them again
        entry.attachments.all().delete()
    for item in parsed.attachments:
        attachment = MailAttachment(
            entry=entry,
            filename=item.filename,
            content_type=item.content_type,
            size=len(item.content),
        )
        if len(item.content) > limit:
            attachment.note = _("Larger than %(limit)s bytes: kept in the raw message only.") % {
                "limit": limit
            }
            notes.append(f"{item.filename}: {attachment.note}")
        else:
            attachment.file.save(item.filename, ContentFile(item.content), save=False)
        attachment.save()
        stored.append(attachment)
    return stored, notes


def entry_parse(entry: MailEntry) -> Parsed:
    with entry.raw.open("rb") as handle:
        return parse(handle.read())


def entry_reprocess(entry: MailEntry) -> MailEntry:
    """Run a ledgered message through the import again (the retry); a new failure is
    recorded on the same line."""
    with entry.raw.open("rb") as handle:
        raw = handle.read()
    entry.attempts += 1
    try:
        with transaction.atomic():
            _process(entry, raw)
    except Exception as exc:
        logger.exception("mail retry failed (entry %s)", entry.pk)
        MailEntry.objects.filter(pk=entry.pk).update(
            attempts=entry.attempts,
            status=S.FAILED,
            reason=R.ERROR,
            detail=f"{type(exc).__name__}: {exc}"[:2000],
            updated_at=timezone.now(),
        )
        entry.refresh_from_db()
    return entry


def thread_entries(message_ids: list[str]) -> Q:
    return Q(message_id__in=message_ids) | Q(reply_message_id__in=message_ids)
