"""The real mail servers of the channels tests (Dovecot for IMAP, aiosmtpd for SMTP),
for the service tests that send replies and read the customer's answers."""

from tests.channels.conftest import imap, imap_server, mailbox, smtp  # noqa: F401
