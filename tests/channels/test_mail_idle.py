"""IMAP IDLE against the real Dovecot: the server's word that mail arrived ends the wait
at once, the connection stays usable, and the watcher imports the message within
seconds through the same polling (ledger, UIDs) as the scheduled one."""

import threading
import time

import pytest

from panorama.channels.mail.idle import idle_wait, supports_idle, watch
from panorama.channels.mail.imap import connect
from panorama.channels.models import MailEntry

from .conftest import AGENT, make_mail

pytestmark = pytest.mark.django_db(transaction=True)


def _append_soon(imap_server, delay=0.5):
    def later():
        time.sleep(delay)
        imap_server.append(AGENT, make_mail(subject="Llegó por IDLE"))

    thread = threading.Thread(target=later)
    thread.start()
    return thread


def test_idle_ends_when_mail_arrives_and_the_connection_goes_on(mailbox, imap):
    conn = connect(mailbox)
    try:
        assert supports_idle(conn)
        started = time.monotonic()
        assert idle_wait(conn, timeout=0.5) is False  # nothing came
        assert time.monotonic() - started < 3
        appender = _append_soon(imap)
        started = time.monotonic()
        assert idle_wait(conn, timeout=20) is True
        assert time.monotonic() - started < 10  # the server's word, not the timeout
        appender.join()
        assert conn.noop()[0] == "OK"  # DONE was answered: the connection is usable
    finally:
        conn.logout()


def test_the_watcher_imports_new_mail_within_seconds(mailbox, imap):
    stop = threading.Event()
    ended = []
    watcher = threading.Thread(target=lambda: ended.append(watch(mailbox.pk, stop, renew=5)))
    watcher.start()
    try:
        time.sleep(1)  # the watcher is in IDLE
        _append_soon(imap, delay=0).join()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not MailEntry.objects.exists():
            time.sleep(0.2)
        entry = MailEntry.objects.get()
        assert entry.subject == "Llegó por IDLE" and entry.uid
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert ended == ["stopped"]
