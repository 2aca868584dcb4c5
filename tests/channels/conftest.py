"""A real IMAP server (Dovecot, started here from its own configuration in a temporary
folder) for the inbound e-mail tests; the real SMTP server is tests/smtp.py's."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
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
