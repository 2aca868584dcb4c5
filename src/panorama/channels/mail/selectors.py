"""Reads of the inbound mail: mailboxes, a mailbox's ledger, the unknown senders. Each
checks who reads (the ledgers: administrators and managers, and a mailbox's owner its
own; unknown senders: who may link them)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import can, ensure_can
from panorama.core.exceptions import NotFound
from panorama.core.pagination import Keyset, Page

from .models import MailAttachment, Mailbox, MailEntry

LEDGER_PAGE = 50
NEWEST_FIRST = Keyset("-id", types=(int,))  # ids grow with arrival


def reads_every_ledger(user: User | None) -> bool:
    return can(user, "channels.read_ledger")


def mailboxes(*, user: User | None) -> list[Mailbox]:
    """Every mailbox (administrators and managers), else the user's own ones (perhaps
    none): one query."""
    rows = Mailbox.objects.select_related("queue", "owner").annotate(
        failed=Count("entries", filter=Q(entries__status=MailEntry.Status.FAILED))
    )
    if not reads_every_ledger(user):
        rows = rows.filter(owner=user)
    return list(rows.order_by("name"))


def mailbox_for_ledger(*, user: User | None, mailbox_id: int) -> Mailbox:
    """The mailbox whose ledger ``user`` reads: any (managers), or his own."""
    mailbox = Mailbox.objects.select_related("queue", "owner").filter(pk=mailbox_id).first()
    ensure_can(user, "channels.read_ledger", mailbox)
    if mailbox is None:
        raise NotFound(_("Mailbox %(id)s does not exist.") % {"id": mailbox_id})
    return mailbox


def ledger(
    *,
    user: User | None,
    mailbox_id: int | None,
    status: str = "",
    cursor: str = "",
    limit: int = LEDGER_PAGE,
) -> Page[MailEntry]:
    """A mailbox's ledger (None: the piped messages, managers only), newest first,
    keyset-paged: one query whatever its length (two for a mailbox's owner, who is
    checked against it)."""
    if mailbox_id is None or reads_every_ledger(user):
        ensure_can(user, "channels.read_ledger")
    else:
        mailbox_for_ledger(user=user, mailbox_id=mailbox_id)
    qs = MailEntry.objects.select_related("customer", "case")
    qs = qs.filter(mailbox__isnull=True) if mailbox_id is None else qs.filter(mailbox_id=mailbox_id)
    if status:
        qs = qs.filter(status=status)
    return NEWEST_FIRST.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))


@dataclass
class UnknownSender:
    address: str
    name: str
    messages: int
    first_at: datetime
    last_at: datetime
    last_subject: str


def unknown_senders(*, user: User | None, limit: int = 200) -> list[UnknownSender]:
    """Addresses whose messages wait for a customer, the most recent first: two queries."""
    ensure_can(user, "channels.link_sender")
    rows = list(
        MailEntry.objects.filter(status=MailEntry.Status.UNKNOWN)
        .values("from_address")
        .annotate(
            messages=Count("id"),
            first_at=Min("created_at"),
            last_at=Max("created_at"),
            last_id=Max("id"),
            name=Max("from_name"),
        )
        .order_by("-last_at", "from_address")[:limit]
    )
    subjects = dict(
        MailEntry.objects.filter(pk__in=[r["last_id"] for r in rows]).values_list("pk", "subject")
    )
    return [
        UnknownSender(
            address=r["from_address"],
            name=r["name"] or "",
            messages=r["messages"],
            first_at=r["first_at"],
            last_at=r["last_at"],
            last_subject=subjects.get(r["last_id"], ""),
        )
        for r in rows
    ]


def unknown_messages(*, user: User | None, address: str) -> list[MailEntry]:
    ensure_can(user, "channels.link_sender")
    return list(
        MailEntry.objects.filter(status=MailEntry.Status.UNKNOWN, from_address=address).order_by(
            "-created_at", "-id"
        )[:50]
    )


def attachment_get(*, user: User, attachment_id: int) -> MailAttachment:
    """An attachment of a message on a customer ``user`` sees (else 404)."""
    from panorama.customers.selectors import customers_visible_to

    attachment = (
        MailAttachment.objects.select_related("entry")
        .filter(pk=attachment_id, entry__customer__in=customers_visible_to(user))
        .first()
    )
    if attachment is None or not attachment.stored:
        raise NotFound(_("Attachment %(id)s does not exist.") % {"id": attachment_id})
    return attachment
