"""``panorama import orders FILE.csv`` — import a company's order history.

Header ``customer_id,date,amount`` plus optional ``order_id,product,quantity``. Prints a
summary; ``--json`` prints the counts and every rejected row with all its reasons;
``--rejected FILE`` writes the rejected rows as a CSV to fix and import again.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.exceptions import DomainError

from ...services.purchases import purchase_import_rejected_csv, purchases_import


class Command(BaseCommand):
    help = "Import an order history CSV (customer_id,date,amount[,order_id,product,quantity])."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8; , ; or tab)")
        parser.add_argument("--user", default="", help="Username the import runs as")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON")
        parser.add_argument("--rejected", default="", help="Write the rejected rows to this CSV")

    def handle(self, *args, file, user, json: bool, rejected, **options):
        by = None
        if user:
            by = User.objects.filter(username=user, is_active=True).first()
            if by is None:
                raise CommandError(_("There is no active user %(u)s.") % {"u": user})
        try:
            job = purchases_import(source=file, by=by)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        if rejected:
            Path(rejected).write_text(purchase_import_rejected_csv(job=job), encoding="utf-8")
        rate = int(job.rows / job.seconds) if job.seconds else 0
        if json:
            self.stdout.write(_dumps(job, rate))
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Order import %(id)s done: %(o)s orders created, %(u)s already there, "
                    "%(c)s new customers, %(r)s rows rejected of %(t)s in %(s).2f s "
                    "(%(rate)d rows/s)."
                )
                % {
                    "id": job.pk,
                    "o": job.orders_created,
                    "u": job.orders_unchanged,
                    "c": job.customers_created,
                    "r": job.rejected,
                    "t": job.rows,
                    "s": job.seconds,
                    "rate": rate,
                }
            )
        )
        for error in job.errors[:20]:
            reasons = "; ".join(p["message"] for p in error["problems"])
            self.stdout.write(_("Row %(n)s: %(why)s") % {"n": error["row"], "why": reasons})
        if job.rejected > 20:
            self.stdout.write(_("… and %(n)s more rejected rows.") % {"n": job.rejected - 20})


def _dumps(job, rate: int) -> str:
    return json.dumps(
        {
            "id": job.pk,
            "rows": job.rows,
            "orders_created": job.orders_created,
            "orders_unchanged": job.orders_unchanged,
            "customers_created": job.customers_created,
            "rejected": job.rejected,
            "seconds": round(job.seconds, 3),
            "rows_per_s": rate,
            "errors": job.errors,
        },
        ensure_ascii=False,
    )
