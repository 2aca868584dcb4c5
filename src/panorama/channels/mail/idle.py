"""IMAP IDLE (RFC 2177): new mail imported within seconds where the server offers it.

The task worker runs one watcher thread (``idle_loop``) that keeps an IDLE connection
open per active mailbox whose server announces the ``IDLE`` capability. When the server
says a message arrived (an untagged ``EXISTS`` or ``RECENT``), the watcher ends the
IDLE and polls the mailbox at once, through the same ``poll`` as the scheduled polling
(the ledger, the UID bookkeeping and the dedupe are the same). The IDLE is renewed every
``RENEW_SECONDS`` (servers drop it after 30 minutes). A server without IDLE, or an
error, leaves the mailbox to the scheduled polling, which goes on regardless: IDLE only
makes new mail arrive sooner, it is never the only way in.

``imaplib`` of Python 3.11 has no IDLE command: ``idle_wait`` speaks it on the
connection's own socket (``IMAP4.send`` / ``readline``).
"""

import logging
import select
import threading
import time

from .imap import ImapError, _logout, connect, poll
from .models import Mailbox

logger = logging.getLogger(__name__)
RENEW_SECONDS = 25 * 60
RESCAN_SECONDS = 60  # how often the watcher looks for new or changed mailboxes
NO_IDLE = "no IDLE"  # the server does not offer it: asked again after an hour


def supports_idle(imap) -> bool:
    return "IDLE" in {str(c).upper() for c in imap.capabilities}


def idle_wait(imap, timeout: float, stop: threading.Event | None = None) -> bool:
    """IDLE on the selected folder until the server reports new mail (True) or
    ``timeout`` seconds pass / ``stop`` is set (False). The IDLE is ended either way
    (DONE and its tagged answer), so the connection can be used again."""
    tag = imap._new_tag()
    imap.send(tag + b" IDLE\r\n")
    first = imap.readline()
    if not first.startswith(b"+"):
        raise ImapError(f"The server refused IDLE: {first!r}")
    # Until DONE the server only sends untagged lines: they are read from the socket
    # itself (select, then recv), since a timeout on imaplib's buffered file would
    # leave it unusable.
    sock = imap.sock
    arrived = False
    pending = b""
    deadline = time.monotonic() + timeout
    while not arrived and time.monotonic() < deadline and not (stop and stop.is_set()):
        wait = min(1.0, max(0.0, deadline - time.monotonic()))
        ready = getattr(sock, "pending", lambda: 0)() or select.select([sock], [], [], wait)[0]
        if not ready:
            continue
        chunk = sock.recv(65536)
        if not chunk:
            raise ImapError("The server closed the connection during IDLE.")
        pending += chunk
        *lines, pending = pending.split(b"\r\n")
        for line in lines:
            words = line.upper().split()
            if len(words) >= 3 and words[0] == b"*" and words[2] in (b"EXISTS", b"RECENT"):
                arrived = True
            elif words[:2] == [b"*", b"BYE"]:
                raise ImapError("The server ended the IDLE connection.")
    imap.send(b"DONE\r\n")
    while True:  # untagged lines until the IDLE's own answer
        line = imap.readline()
        if not line or line.startswith(tag):
            break
    return arrived


def watch(mailbox_id: int, stop: threading.Event, renew: float = RENEW_SECONDS) -> str:
    """Keep one mailbox in IDLE, polling it whenever mail arrives, until ``stop`` is
    set, the mailbox is deactivated or an error happens; why it ended."""
    mailbox = Mailbox.objects.get(pk=mailbox_id)
    imap = connect(mailbox)
    try:
        if not supports_idle(imap):
            return NO_IDLE
        while not stop.is_set():
            if idle_wait(imap, renew, stop):
                poll(mailbox_id)
            if not Mailbox.objects.filter(pk=mailbox_id, active=True).exists():
                return "inactive"
        return "stopped"
    finally:
        _logout(imap)


def idle_loop(stop: threading.Event) -> None:
    """The worker's watcher: a thread per active mailbox (restarted after an error,
    waiting a minute), looking for new mailboxes every ``RESCAN_SECONDS``."""
    from django.db import connection

    threads: dict[int, threading.Thread] = {}
    failed_at: dict[int, float] = {}

    def run(pk: int) -> None:
        try:
            ended = watch(pk, stop)
            logger.info("IMAP IDLE on mailbox %s ended: %s", pk, ended)
            if ended == NO_IDLE:
                failed_at[pk] = time.monotonic() + 3600 - RESCAN_SECONDS
        except Exception as exc:  # the scheduled polling goes on; retried later
            failed_at[pk] = time.monotonic()
            logger.warning("IMAP IDLE on mailbox %s failed: %s", pk, exc)
        finally:
            connection.close()

    while not stop.is_set():
        try:
            active = list(Mailbox.objects.filter(active=True).values_list("pk", flat=True))
        except Exception:  # the database is away for a moment: try again later
            active = []
        finally:
            connection.close()
        for pk in active:
            alive = pk in threads and threads[pk].is_alive()
            if alive or time.monotonic() - failed_at.get(pk, -1e9) < RESCAN_SECONDS:
                continue
            threads[pk] = threading.Thread(target=run, args=(pk,), name=f"idle-{pk}", daemon=True)
            threads[pk].start()
        stop.wait(RESCAN_SECONDS)
