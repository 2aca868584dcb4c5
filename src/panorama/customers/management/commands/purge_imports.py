"""``panorama purge_imports`` — delete the files and rejected rows of old imports.

Run it daily (cron or a systemd timer); each import also runs it when it finishes.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from panorama.customers.imports.services.retention import import_files_purge


class Command(BaseCommand):
    help = (
        "Delete the stored files and rejected rows of imports finished more than "
        "PANORAMA_IMPORT_RETENTION_DAYS days ago (the jobs and their undo records stay)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Keep this many days instead (default {settings.PANORAMA_IMPORT_RETENTION_DAYS})",
        )

    def handle(self, *args, days, **options):
        if days is not None and days < 0:
            raise CommandError(_("--days cannot be negative."))
        cleaned = import_files_purge(days=days)
        self.stdout.write(_("Files and rejected rows deleted for %(n)s imports.") % {"n": cleaned})
