"""Inbound e-mail: IMAP mailboxes polled into the timeline (and into cases), a piped
entry point for an MTA, and a sync ledger that accounts for every message."""
