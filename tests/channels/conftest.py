"""A real IMAP server (Dovecot, started here from its own configuration in a temporary
folder) and a real SMTP server (aiosmtpd) for the inbound e-mail tests."""

import socket
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from panorama.channels.mail import dovecot
from panorama.channels.mail.services import mailbox_save
from panorama.channels.models import Mailbox

AGENT, PASSWORD = "support@bank.example", "s3cret"


@pytest.fixture(scope="session")
def imap_server():
    if not dovecot.available():
        pytest.skip("dovecot-imapd is not installed (make dovecot) or we are not root")
    with dovecot.Dovecot(users={AGENT: PASSWORD, "other@bank.example": "x"}) as server:
        yield server


@pytest.fixture
def imap(imap_server):
    """The server with an empty INBOX and no Support folder."""
    client = imap_server.client(AGENT)
    try:
        _status, data = client.select("INBOX")
        if int(data[0]):
            client.store("1:*", "+FLAGS", "\\Deleted")
            client.expunge()
        client.delete("Support")
    finally:
        client.logout()
    return imap_server


@pytest.fixture
def mailbox(imap, db):
    return mailbox_save(
        by=None,
        mailbox=Mailbox(
            name="Support",
            address=AGENT,
            host="127.0.0.1",
            port=imap.port,
            use_ssl=False,
            username=AGENT,
        ),
        password=PASSWORD,
    )


def make_mail(
    *,
    sender="ana@example.com",
    subject="My card does not work",
    body="Hello, my card was refused at the shop.",
    message_id=None,
    headers=None,
    attachments=(),
) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Ana García <{sender}>"
    msg["To"] = AGENT
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = message_id or make_msgid(domain="example.com")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    for filename, content, mime in attachments:
        maintype, subtype = mime.split("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks its own with a connect)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()
