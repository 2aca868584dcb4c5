"""The bench's inbound mail figure, ``mail_import_per_s``: messages from known
customers put into a private Dovecot (IMAP APPEND), then one poll imports them through
the real path (IMAP fetch, parse, ledger, identify, timeline), timed end to end.

Skipped with a note when Dovecot is not installed (``make dovecot``) or the bench does
not run as root (Dovecot switches to its own users). What the run wrote is removed
afterwards, so the bench database stays the same from run to run."""

import time
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime

from django.utils import timezone

from panorama.channels.mail import dovecot
from panorama.channels.mail.crypto import seal
from panorama.channels.mail.imap import poll
from panorama.channels.models import Interaction, Mailbox, MailEntry
from panorama.customers.models import Identity

MESSAGES = 500
USER, PASSWORD = "bench@panorama.invalid", "bench"


def _message(sender: str, n: int, run: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = USER
    msg["Subject"] = f"Bench message {n}"
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = f"<bench-{run}-{n}@panorama.invalid>"
    msg.set_content("A question about my account.\n" * 10)
    return msg.as_bytes()


def import_rate(messages: int = MESSAGES) -> float:
    """Messages per second imported by one poll of ``messages`` messages."""
    senders = list(
        Identity.objects.filter(kind=Identity.Kind.EMAIL)
        .order_by("id")
        .values_list("value", flat=True)[:messages]
    ) or ["nobody@panorama.invalid"]
    run = uuid.uuid4().hex[:8]
    with dovecot.Dovecot(users={USER: PASSWORD}) as server:
        server.append(USER, *(_message(senders[n % len(senders)], n, run) for n in range(messages)))
        mailbox = Mailbox.objects.create(
            name=f"Bench {run}",
            address=USER,
            host="127.0.0.1",
            port=server.port,
            use_ssl=False,
            username=USER,
            password_sealed=seal(PASSWORD),
        )
        try:
            started = time.perf_counter()
            result = poll(mailbox.pk)
            elapsed = time.perf_counter() - started
            if result.error or result.fetched != messages:
                raise RuntimeError(f"the bench poll failed: {result.error or result.fetched}")
            return messages / elapsed
        finally:
            ids = MailEntry.objects.filter(mailbox=mailbox).values_list("interaction_id", flat=True)
            Interaction.objects.filter(pk__in=list(ids)).delete()
            mailbox.delete()  # its ledger and attachments go with it


def measure_all(say: Callable[[str], None]) -> dict:
    if not dovecot.available():
        say("Inbound mail: skipped (Dovecot not installed — make dovecot — or not root).")
        return {"mail_import_per_s": None}
    say(f"Measuring inbound mail ({MESSAGES} messages from a local Dovecot)...")
    return {"mail_import_per_s": round(import_rate())}
