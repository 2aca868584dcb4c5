"""The real IMAP server of the channels tests (Dovecot), for the service tests that send
replies (through tests/smtp.py's SMTP server) and read the customer's answers."""

from tests.channels.conftest import imap, imap_server, mailbox  # noqa: F401
