"""Configuring mailboxes (administrators), and what staff do with the ledger: retry a
failed message, link an unknown sender to a customer (or to a new one)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template import TemplateSyntaxError
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import can, ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, NotFound, ValidationFailed
from panorama.core.validation import rules_for
from panorama.customers.models import Identity
from panorama.customers.selectors import customer_get
from panorama.customers.services.customer import IdentityData, identity_add
from panorama.service.models import Queue

from . import imap
from .cases import template_check
from .crypto import seal
from .importer import deliver, entry_parse, entry_reprocess
from .models import Mailbox, MailEntry

S = MailEntry.Status


@transaction.atomic
def mailbox_save(*, by: User | None, mailbox: Mailbox, password: str | None = None) -> Mailbox:
    """Create or change a mailbox. ``password`` None or "" keeps the stored one."""
    ensure_can(by, "channels.configure_mailboxes")
    mailbox.name = (mailbox.name or "").strip()
    mailbox.host = (mailbox.host or "").strip()
    mailbox.folder = (mailbox.folder or "").strip() or "INBOX"
    mailbox.address = (mailbox.address or "").strip().lower()
    if password:
        mailbox.password_sealed = seal(password)
    if not mailbox.password_sealed:
        raise ValidationFailed(_("Give the mailbox's password."), field="password")
    rules_for(Mailbox).check(mailbox)
    try:
        validate_email(mailbox.address)
    except DjangoValidationError:
        raise ValidationFailed(
            _("%(value)s is not an e-mail address.") % {"value": mailbox.address}, field="address"
        ) from None
    if not 1 <= (mailbox.port or 0) <= 65535:
        raise ValidationFailed(_("A port is a number from 1 to 65535."), field="port")
    if not 10 <= (mailbox.poll_seconds or 0) <= 86400:
        raise ValidationFailed(
            _("Poll every 10 seconds to once a day (86400 seconds)."), field="poll_seconds"
        )
    if mailbox.queue_id is not None and not Queue.objects.filter(pk=mailbox.queue_id).exists():
        raise ValidationFailed(
            _("Queue %(id)s does not exist.") % {"id": mailbox.queue_id}, field="queue"
        )
    if mailbox.creates_leads and (mailbox.creates_cases or mailbox.receives_faxes):
        raise ValidationFailed(
            _("A mailbox creates leads, or cases, or receives faxes: choose one."),
            field="creates_leads",
        )
    if mailbox.creates_cases and mailbox.queue_id is None:
        raise ValidationFailed(_("A mailbox that creates cases needs a queue."), field="queue")
    if (
        mailbox.owner_id is not None
        and not User.objects.filter(pk=mailbox.owner_id, is_active=True).exists()
    ):
        raise ValidationFailed(
            _("User %(id)s does not exist or is not active.") % {"id": mailbox.owner_id},
            field="owner",
        )
    if Mailbox.objects.filter(name=mailbox.name).exclude(pk=mailbox.pk).exists():
        raise Conflict(
            _("A mailbox named %(name)s already exists.") % {"name": mailbox.name}, field="name"
        )
    for name in ("auto_reply_subject", "auto_reply_body"):
        try:
            template_check(getattr(mailbox, name))
        except TemplateSyntaxError as exc:
            raise ValidationFailed(
                _("The template is not valid: %(error)s") % {"error": exc}, field=name
            ) from exc
    created = mailbox.pk is None
    mailbox.save()
    emit(
        "mailbox.configured",
        mailbox_id=mailbox.pk,
        created=created,
        by=by.pk if by else None,
    )
    return mailbox


def mailbox_get(*, mailbox_id: int) -> Mailbox:
    mailbox = Mailbox.objects.select_related("queue", "owner").filter(pk=mailbox_id).first()
    if mailbox is None:
        raise NotFound(_("Mailbox %(id)s does not exist.") % {"id": mailbox_id})
    return mailbox


def mailbox_test(*, by: User | None, mailbox_id: int) -> int:
    """Log in and open the folder: how many messages it holds, or ValidationFailed
    with the server's answer."""
    ensure_can(by, "channels.configure_mailboxes")
    mailbox = mailbox_get(mailbox_id=mailbox_id)
    try:
        return imap.folder_count(mailbox)
    except imap.ImapError as exc:
        raise ValidationFailed(
            _("The connection failed: %(error)s") % {"error": exc}, field="host"
        ) from exc


def mailbox_sync(*, by: User | None, mailbox_id: int) -> None:
    """Queue a poll of the mailbox now (the task worker runs it)."""
    ensure_can(by, "channels.configure_mailboxes")
    mailbox = mailbox_get(mailbox_id=mailbox_id)
    from ..tasks import mailbox_poll_task

    mailbox_poll_task.enqueue(mailbox.pk)


def _entry(*, entry_id: int) -> MailEntry:
    entry = MailEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("Ledger entry %(id)s does not exist.") % {"id": entry_id})
    return entry


@transaction.atomic
def mail_entry_retry(*, by: User | None, entry_id: int) -> MailEntry:
    """Import a failed message again from its kept raw copy (managers, or the owner of
    its mailbox)."""
    if not can(by, "channels.read_ledger"):
        mailbox = Mailbox.objects.filter(entries__pk=entry_id).only("pk", "owner").first()
        ensure_can(by, "channels.read_ledger", mailbox)
    entry = _entry(entry_id=entry_id)
    if entry.status != S.FAILED:
        raise Conflict(_("Only a failed message can be retried."), field="status")
    if not entry.raw or not entry.raw.storage.exists(entry.raw.name):
        raise Conflict(
            _("The original of this message is missing: it cannot be retried."), field="raw"
        )
    return entry_reprocess(entry)


@transaction.atomic
def mail_sender_link(
    *, by: User | None, from_address: str, customer_id: int, remember: bool = True
) -> int:
    """Give every waiting message of an unknown sender to a customer ``by`` sees (404
    otherwise); ``remember`` adds the address to the customer's identities so the next
    message finds him. Returns how many messages were imported."""
    ensure_can(by, "channels.link_sender")
    customer = customer_get(user=by, customer_id=customer_id)
    address = (from_address or "").strip().lower()
    entries = list(
        MailEntry.objects.select_for_update(of=("self",))
        .filter(status=S.UNKNOWN, from_address=address)
        .select_related("mailbox", "mailbox__owner")
        .order_by("created_at", "id")
    )
    if not entries:
        raise NotFound(
            _("No message from %(address)s waits for a customer.") % {"address": address}
        )
    known = customer.identities.filter(kind=Identity.Kind.EMAIL, value=address).exists()
    if remember and "@" in address and not known:
        identity_add(
            customer=customer, item=IdentityData(kind=Identity.Kind.EMAIL, value=address), by=by
        )
    for entry in entries:
        parsed = entry_parse(entry)
        deliver(entry=entry, parsed=parsed, customer=customer, notes=parsed.notes)
    emit(
        "mail.sender_linked",
        customer_id=customer.pk,
        address=address,
        messages=len(entries),
        by=by.pk if by else None,
    )
    return len(entries)
