"""The SMTP side of a campaign's sending (``sending.EmailSender``): its messages handed
to the mail server over ``PANORAMA_MAIL_CONNECTIONS`` kept-open connections, each
message retried ``PANORAMA_CAMPAIGN_ATTEMPTS`` times with backoff, a fresh connection
after an error.

Through Django's SMTP backend and a server that advertises PIPELINING (``pipelining``),
each worker thread streams its messages: a message's envelope goes in the same write as
the previous message's text, one write and one wait per message (``smtplib`` makes four
of each). A message refused there is retried as before (fresh connection, backoff). The
answers and the errors are ``smtplib``'s; the messages' bytes are unchanged."""

import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, TimeoutError
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

from ..models import Recipient
from . import pipelining
from .mime import PreparedEmail, envelope_address

_END = None  # a worker's last job of the batch


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class Handover:
    """Mixed into ``EmailSender``: ``hand_all`` and the worker threads."""

    backend: str | None
    build: Callable[[Recipient], EmailMultiAlternatives]

    def handover_init(self, backend: str | None) -> None:
        self.backend = backend
        self.attempts_max = max(1, settings.PANORAMA_CAMPAIGN_ATTEMPTS)
        self.workers = max(1, settings.PANORAMA_MAIL_CONNECTIONS)
        self.pool = ThreadPoolExecutor(self.workers, thread_name_prefix="campaign-smtp")
        self.local = threading.local()
        self.opened: list[Any] = []  # every worker's connection, closed at the end
        self.lock = threading.Lock()
        self.senders: dict[str, str] = {}  # the envelope's sender, read once per address
        probe = get_connection(backend)
        self.streams = self.workers > 1 and type(probe) is SMTPBackend and not probe.fail_silently

    def _connection(self, fresh: bool = False):
        """This thread's connection (a new one after an error)."""
        connection = getattr(self.local, "connection", None)
        if connection is None or fresh:
            if connection is not None:
                connection.close()
            connection = get_connection(self.backend)
            self.local.connection = connection
            self.local.stream = None
            with self.lock:
                self.opened.append(connection)
        return connection

    def _send(self, recipient: Recipient, message: EmailMultiAlternatives, failed: str = "") -> str:
        """In a worker thread: hand one message over, retrying; "" or the last error.
        ``failed``: the error of an attempt already made (``_stream``)."""
        error = failed
        connection = self._connection(fresh=bool(failed))
        if failed:
            time.sleep(min(0.1 * 2**recipient.attempts, 5))
        while recipient.attempts < self.attempts_max:
            recipient.attempts += 1
            try:
                connection.open()  # kept open across messages; reopened after an error
                if not self._hand_over(connection, message):
                    raise RuntimeError("the mail backend did not accept the message")
                return ""
            except Exception as exc:  # noqa: BLE001 (SMTP and socket errors alike)
                error = _error(exc)
                connection = self._connection(fresh=True)
                time.sleep(min(0.1 * 2**recipient.attempts, 5))  # 0.2 s, 0.4 s…
        return error

    def _envelope(self, message: EmailMultiAlternatives) -> tuple[str, list[str], bytes]:
        """What Django's SMTP backend gives ``sendmail``, with the envelope's addresses
        read by ``envelope_address``: its header parser, twice per message, was a third
        of the SMTP threads' CPU."""
        sender = self.senders.get(message.from_email)
        if sender is None:
            sender = self.senders[message.from_email] = envelope_address(
                message.from_email, settings.DEFAULT_CHARSET
            )
        recipients = [envelope_address(a, settings.DEFAULT_CHARSET) for a in message.recipients()]
        return sender, recipients, message.message().as_bytes(linesep="\r\n")

    def _hand_over(self, connection: Any, message: EmailMultiAlternatives) -> bool:
        """``connection.send_messages([message])``. Through Django's SMTP backend, what it
        does for one message (``sendmail`` under its lock, the same envelope and bytes),
        MAIL, RCPT and DATA in one write when the server advertises PIPELINING."""
        plain = type(connection) is SMTPBackend and not connection.fail_silently
        smtp = connection.connection if plain else None
        if smtp is None or not isinstance(message, PreparedEmail):
            return bool(connection.send_messages([message]))
        if not message.recipients():
            return False
        sender, recipients, data = self._envelope(message)
        with connection._lock:
            pipelining.sendmail(smtp, sender, recipients, data)
        return True

    def hand(self, recipient: Recipient) -> str:
        return self._send(recipient, self.build(recipient))

    def hand_all(
        self, recipients: list[Recipient], pace: Callable[[Recipient], None]
    ) -> Iterator[tuple[Recipient, str]]:
        if self.workers == 1:
            for recipient in recipients:
                pace(recipient)
                yield recipient, self.hand(recipient)
            return
        handing: list[tuple[Recipient, Future]] = []
        jobs: queue.SimpleQueue = queue.SimpleQueue()
        workers: list[Future] = []
        if self.streams:  # each worker takes its messages from ``jobs`` (``_stream``)
            workers = [self.pool.submit(self._stream, jobs) for _ in range(self.workers)]
        for recipient in recipients:
            message = self.build(recipient)
            pace(recipient)
            if self.streams:
                future: Future = Future()
                jobs.put((recipient, message, future))
            else:
                future = self.pool.submit(self._send, recipient, message)
            handing.append((recipient, future))
        for _worker in workers:
            jobs.put(_END)
        for recipient, future in handing:
            yield recipient, self._outcome(future, workers)
        for worker in workers:
            worker.result()

    @staticmethod
    def _outcome(future: Future, workers: list[Future]) -> str:
        """The message's outcome; a worker's unexpected error raised, not waited on."""
        while True:
            try:
                return future.result(timeout=1)
            except TimeoutError:
                for worker in workers:
                    if worker.done():
                        worker.result()  # raises the worker's error, if any

    def _stream(self, jobs: queue.SimpleQueue) -> None:
        """A worker thread's share of a batch (``streams``): the messages it takes from
        ``jobs`` on its connection's ``pipelining.Stream``, the text of the one held at
        DATA written alone when no other message is waiting; a message refused (or on a
        broken connection) retried by ``_send`` once the stream's messages are answered."""
        failed: list[tuple[Recipient, EmailMultiAlternatives, Future, str]] = []
        while True:
            stream = getattr(self.local, "stream", None)
            try:
                job = jobs.get(block=stream is None or stream.held is None)
            except queue.Empty:  # nothing else waiting: the held message's text alone
                self._settle(failed)
                job = jobs.get()
            if job is _END:
                self._settle(failed)
                return
            recipient, message, future = job
            recipient.attempts += 1
            try:
                connection = self._connection()
                connection.open()
                if stream is None or stream.smtp is not connection.connection:
                    stream = self.local.stream = pipelining.Stream(connection.connection)
                sender, addresses, data = self._envelope(message)
            except Exception as exc:  # noqa: BLE001 (the connection could not be opened)
                failed.append((recipient, message, future, _error(exc)))
            else:
                stream.send(sender, addresses, data, self._done(recipient, message, future, failed))
            if failed or stream is None or stream.broken:
                self._settle(failed)

    def _settle(self, failed: list) -> None:
        """The held message's text written and answered, then what failed retried."""
        stream = getattr(self.local, "stream", None)
        if stream is not None:
            stream.finish()
            if stream.broken:
                self._connection(fresh=True)
        self._retry(failed)

    def _done(self, recipient, message, future: Future, failed: list) -> pipelining.Done:
        def done(exc: Exception | None) -> None:
            if exc is None:
                future.set_result("")
            else:
                failed.append((recipient, message, future, _error(exc)))

        return done

    def _retry(self, failed: list[tuple[Recipient, Any, Future, str]]) -> None:
        """The messages the stream could not hand over: retried one at a time by
        ``_send`` on a fresh connection (what a message sent alone gets)."""
        while failed:
            recipient, message, future, error = failed.pop(0)
            future.set_result(self._send(recipient, message, error))

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        for connection in self.opened:
            connection.close()
