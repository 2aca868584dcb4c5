"""``panorama mail receive [--mailbox NAME] < message.eml``: one message piped by an MTA
(e.g. a Postfix alias ``support: "|/srv/panorama/.venv/bin/panorama mail receive
--mailbox Support"``), through the same import as the IMAP poller; ``panorama mail
poll`` polls every active mailbox once, in the foreground.

Exit status for the MTA: 0 when the message is in the ledger (whatever became of it:
imported, unknown sender, skipped or failed, all kept), 75 (EX_TEMPFAIL: the MTA keeps
it and tries again) when it could not even be written down."""

import sys

from django.core.management.base import BaseCommand, CommandError

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Inbound e-mail: receive a piped message, or poll the mailboxes now."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        receive = sub.add_parser("receive", help="Import one message read from stdin.")
        receive.add_argument("--mailbox", default="", help="Name of the mailbox it came to.")
        sub.add_parser("poll", help="Poll every active mailbox once.")

    def handle(self, *args, action: str, **options):
        from panorama.channels.mail.imap import poll
        from panorama.channels.mail.importer import mail_import
        from panorama.channels.models import Mailbox

        if action == "poll":
            for polled in Mailbox.objects.filter(active=True):
                result = poll(polled.pk)
                self.stdout.write(
                    f"{polled.name}: {result.fetched} fetched {result.statuses}"
                    + (f" error: {result.error}" if result.error else "")
                )
            return
        mailbox: Mailbox | None = None
        if options["mailbox"]:
            mailbox = Mailbox.objects.filter(name=options["mailbox"]).first()
            if mailbox is None:
                raise CommandError(f"No mailbox named {options['mailbox']!r}.")
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise CommandError("No message on standard input.")
        try:
            entry = mail_import(raw=raw, mailbox=mailbox)
        except Exception as exc:  # the database is down: let the MTA retry later
            self.stderr.write(f"Could not record the message: {exc}")
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(f"{entry.status} {entry.reason} {entry.message_id}".replace("  ", " "))
