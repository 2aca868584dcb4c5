"""Polling an IMAP mailbox (stdlib ``imaplib``, RFC 3501).

Re-polling is idempotent: the mailbox keeps the folder's UIDVALIDITY and the last UID
read; only newer UIDs are fetched, and a UID already in the ledger is not imported
twice. When the server changes UIDVALIDITY (the folder was rebuilt) every message is
read again and the Message-ID dedupe keeps the timeline free of duplicates. Messages
are fetched with BODY.PEEK: polling never marks them read.
"""

import contextlib
import datetime
import imaplib
import logging
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from .crypto import unseal
from .importer import mail_import, own_addresses
from .models import Mailbox, MailEntry

logger = logging.getLogger(__name__)
BATCH = 50
TIMEOUT_SECONDS = 30
STALE_POLL_MINUTES = 15
UID_RE = re.compile(rb"UID (\d+)")


class ImapError(Exception):
    """The server could not be reached, refused the login or the folder."""


@dataclass
class PollResult:
    fetched: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    uidvalidity_changed: bool = False
    error: str = ""


def _decode(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def connect(mailbox: Mailbox) -> imaplib.IMAP4:
    """A logged-in connection with the folder selected read-only."""
    try:
        if mailbox.use_ssl:
            imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS
            )
        else:
            imap = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)
    except (TimeoutError, OSError, imaplib.IMAP4.error) as exc:
        raise ImapError(f"Cannot reach {mailbox.host}:{mailbox.port}: {exc}") from exc
    try:
        imap.login(mailbox.username, unseal(mailbox.password_sealed))
        status, data = imap.select(_quoted(mailbox.folder), readonly=True)
        if status != "OK":
            raise ImapError(f"Cannot open folder {mailbox.folder}: {_decode(data[0])}")
    except imaplib.IMAP4.error as exc:
        _logout(imap)
        raise ImapError(_decode(exc.args[0] if exc.args else exc)) from exc
    except ImapError:
        _logout(imap)
        raise
    return imap


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _logout(imap: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        imap.logout()


def _uidvalidity(imap: imaplib.IMAP4) -> int:
    _status, data = imap.response("UIDVALIDITY")
    if not data or data[0] is None:
        raise ImapError("The server did not give the folder's UIDVALIDITY.")
    return int(_decode(data[0]).split()[0])


def folder_count(mailbox: Mailbox) -> int:
    """How many messages the folder holds (the "test connection" button)."""
    imap = connect(mailbox)
    try:
        _status, data = imap.response("EXISTS")
        return int(_decode(data[-1])) if data and data[-1] is not None else 0
    finally:
        _logout(imap)


def _claim(mailbox_id: int) -> bool:
    now = timezone.now()
    free = Q(polling_since__isnull=True) | Q(
        polling_since__lt=now - datetime.timedelta(minutes=STALE_POLL_MINUTES)
    )
    return bool(Mailbox.objects.filter(free, pk=mailbox_id).update(polling_since=now))


def poll(mailbox_id: int, *, limit: int | None = None) -> PollResult:
    """Import the messages that arrived since the last poll. Two pollers never read one
    mailbox at once (the second returns at once)."""
    result = PollResult()
    if not _claim(mailbox_id):
        result.error = "already polling"
        return result
    mailbox = Mailbox.objects.select_related("queue", "owner").get(pk=mailbox_id)
    try:
        _poll(mailbox, result, limit)
        mailbox.last_error = ""
    except (ImapError, OSError, imaplib.IMAP4.error) as exc:
        result.error = str(exc)[:2000]
        mailbox.last_error = result.error
        logger.warning("polling mailbox %s failed: %s", mailbox, exc)
    finally:
        mailbox.last_polled_at = timezone.now()
        mailbox.polling_since = None
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_polled_at=mailbox.last_polled_at,
            last_error=mailbox.last_error,
            polling_since=None,
        )
    return result


def _poll(mailbox: Mailbox, result: PollResult, limit: int | None) -> None:
    imap = connect(mailbox)
    try:
        validity = _uidvalidity(imap)
        if mailbox.uidvalidity != validity:
            result.uidvalidity_changed = mailbox.uidvalidity is not None
            mailbox.uidvalidity, mailbox.last_uid = validity, 0
            Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=validity, last_uid=0)
        status, data = imap.uid("SEARCH", f"UID {mailbox.last_uid + 1}:*")
        if status != "OK":
            raise ImapError(f"SEARCH failed: {_decode(data[0])}")
        # "n:*" always names the newest message, even when its UID is below n.
        uids = sorted(int(u) for u in _decode(data[0] or b"").split() if int(u) > mailbox.last_uid)
        if limit is not None:
            uids = uids[:limit]
        own = own_addresses()
        for start in range(0, len(uids), BATCH):
            batch = uids[start : start + BATCH]
            # The batch's ledger lines in one query, not one per message (a poll that
            # died mid-batch left some).
            ledgered = set(
                MailEntry.objects.filter(
                    mailbox=mailbox, uidvalidity=validity, uid__in=batch
                ).values_list("uid", flat=True)
            )
            for uid, raw in _fetch(imap, batch):
                entry = mail_import(
                    raw=raw,
                    mailbox=mailbox,
                    uid=uid,
                    uidvalidity=validity,
                    own=own,
                    unledgered=uid not in ledgered,
                )
                result.fetched += 1
                result.statuses[entry.status] = result.statuses.get(entry.status, 0) + 1
            mailbox.last_uid = max(batch)
            Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=mailbox.last_uid)
    finally:
        _logout(imap)


def _fetch(imap: imaplib.IMAP4, uids: list[int]) -> list[tuple[int, bytes]]:
    status, data = imap.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
    if status != "OK":
        raise ImapError(f"FETCH failed: {_decode(data[0])}")
    found = []
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            match = UID_RE.search(item[0])
            if match:
                found.append((int(match.group(1)), item[1]))
    return sorted(found)


def mailboxes_due() -> list[int]:
    """Active mailboxes whose poll interval has passed."""
    now = timezone.now()
    due = []
    for pk, polled, every in Mailbox.objects.filter(active=True).values_list(
        "pk", "last_polled_at", "poll_seconds"
    ):
        if polled is None or (now - polled).total_seconds() >= max(every, 10) - 1:
            due.append(pk)
    return due


def failed_count(mailbox: Mailbox) -> int:
    return mailbox.entries.filter(status=MailEntry.Status.FAILED).count()
