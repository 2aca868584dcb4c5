"""A real SMTP server on loopback (aiosmtpd) that Django's mail goes through: the tests see
what a mail server would receive, not Django's in-memory outbox. The ``smtp`` fixture is
registered for the whole suite (tests/conftest.py)."""

import asyncio
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import NamedTuple

import pytest
from aiosmtpd.controller import Controller


class Received(NamedTuple):
    """One message as the server took it: the envelope's recipients and the bytes sent."""

    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.content, policy=policy.default)  # type: ignore[return-value]


class Inbox:
    """aiosmtpd's handler: keeps every message it accepts, and refuses what a test asks."""

    def __init__(self):
        self.messages: list[Received] = []
        self.refuse = 0  # how many next messages to refuse with a 451
        self.refused_domain = ""  # recipients at this domain are refused with a 550
        self.delay = 0.0  # seconds the server takes over each message (a busy server)
        self.peers: set[tuple[str, int]] = set()  # the connections messages came through
        # Advertise PIPELINING (RFC 2920) as Postfix, Exim and Exchange do (aiosmtpd answers
        # pipelined commands in order but does not say so itself); False: a server without.
        self.pipelining = True

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 (aiosmtpd's name)
        session.host_name = hostname  # what aiosmtpd does without this hook
        if not self.pipelining:
            return responses
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if self.refused_domain and address.endswith(f"@{self.refused_domain}"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)  # what aiosmtpd does without this hook
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.delay:
            await asyncio.sleep(self.delay)
        self.peers.add(session.peer)
        if self.refuse:
            self.refuse -= 1
            return "451 Try again later"
        self.messages.append(Received(envelope.rcpt_tos, envelope.content))
        return "250 OK"

    @property
    def emails(self) -> list[EmailMessage]:
        """The messages received, parsed."""
        return [received.message for received in self.messages]

    def to(self, address: str) -> list[EmailMessage]:
        """The messages received whose To header is ``address``."""
        return [message for message in self.emails if message["To"] == address]


def free_port() -> int:
    """A loopback port nobody listens on (aiosmtpd checks its own with a connect, so it
    cannot be given port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def mail_through(settings, port: int) -> None:
    """Send Django's mail by plain SMTP to ``port`` on loopback."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


@pytest.fixture
def smtp(settings):
    """The real SMTP server, on a free port; yields its ``Inbox``."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    mail_through(settings, port)
    yield inbox
    controller.stop()
