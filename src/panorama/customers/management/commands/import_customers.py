"""``panorama import customers FILE`` — import customers from a CSV or XLSX file.

Runs in this process by default (progress and a summary on the terminal); ``--queue``
hands it to the background worker instead. Exit status 1 when the file is refused.
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.exceptions import DomainError
from panorama.customers.imports.services.jobs import (
    import_file_sync,
    import_job_create,
    import_rows_per_s,
)


class Command(BaseCommand):
    help = "Import customers from a CSV or XLSX file (good rows are kept, bad rows reported)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8 or Windows-1252; , ; or tab) or XLSX file")
        parser.add_argument(
            "--mapping", default="", help='JSON object column → field, e.g. {"Móvil": "phone"}'
        )
        parser.add_argument(
            "--user", default="", help="Username the import runs as (owner of new customers)"
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Queue the import for the background worker instead of running it now",
        )

    def handle(self, *args, file, mapping, user, queue, **options):
        try:
            columns = json.loads(mapping) if mapping else None
        except json.JSONDecodeError as exc:
            raise CommandError(_("--mapping is not valid JSON: %(e)s") % {"e": exc}) from None
        by = None
        if user:
            by = User.objects.filter(username=user, is_active=True).first()
            if by is None:
                raise CommandError(_("There is no active user %(u)s.") % {"u": user})
        started = time.perf_counter()
        try:
            if queue:
                job = import_job_create(upload=file, mapping=columns, by=by)
                self.stdout.write(_("Import %(id)s queued for the worker.") % {"id": job.pk})
                return
            job = import_file_sync(path=file, by=by, mapping=columns, on_progress=self._progress)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        elapsed = time.perf_counter() - started
        if job.status == job.Status.FAILED:
            raise CommandError(job.error)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Import %(id)s done: %(c)s created, %(u)s updated, %(n)s unchanged, "
                    "%(r)s rejected of %(t)s rows in %(s).1f s (%(rate)d rows/s)."
                )
                % {
                    "id": job.pk,
                    "c": job.created_count,
                    "u": job.updated_count,
                    "n": job.unchanged_count,
                    "r": job.rejected_count,
                    "t": job.processed_rows,
                    "s": elapsed,
                    "rate": import_rows_per_s(job),
                }
            )
        )
        if job.possible_duplicate_count:
            self.stdout.write(
                _(
                    "%(n)s of the rejected rows have no identifier and look like customers "
                    "already there (same name): not created twice."
                )
                % {"n": job.possible_duplicate_count}
            )
        if job.rejected_count:
            self.stdout.write(
                _("Rejected rows: GET /api/v1/imports/%(id)s/report") % {"id": job.pk}
            )
            for error in job.row_errors.order_by("row_number")[:20]:
                self.stdout.write(f"  {error.row_number}\t{error.field}\t{error.message}")

    def _progress(self, job):
        self.stdout.write(
            _("%(done)s / %(total)s rows") % {"done": job.processed_rows, "total": job.total_rows}
        )
