"""The bench's lead import figure, in process, through the lead import's own services
(``sales.services.lead_import``: the customers import's file reading and mapping, then
each row checked by ``lead_build`` and each batch's leads written together with their
scores by ``lead_bulk.leads_create_many``):

- ``lead_import_rows_per_s``: a CSV of ``ROWS`` new leads (name, company, e-mail, phone,
  postal code; 1 row in 100 bad: no name, company, e-mail nor phone), from the mapping
  confirmed (``lead_import_start``) to the job done (``lead_import_process``, which the
  task worker runs). The median of ``RUNS`` files; each import is undone afterwards, so
  a reused database does not grow.
- ``lead_import_undo_leads_per_s``: that undo (``lead_import_undo``: the leads nobody
  touched and their activities removed in set statements), leads removed per second,
  the median of the same ``RUNS``.
"""

import datetime
import statistics
import time
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile

from panorama.accounts.models import User

KEYS = ["lead_import_rows_per_s", "lead_import_undo_leads_per_s"]
ROWS = 2_000
RUNS = 3


def leads_csv(*, rows: int, tag: str) -> bytes:
    out = ["Nombre,Apellidos,Empresa,Email,Teléfono,Código postal"]
    for n in range(rows):
        if n % 100 == 99:  # a bad row: nothing to reach the lead by
            out.append(",,,,,28001")
            continue
        out.append(
            f"Lead,Bench {tag} {n},Empresa {n % 300},lead.{tag}.{n}@example.com,"
            f"+3460{n % 10_000_000:07d},28{n % 1000:03d}"
        )
    return ("\n".join(out) + "\n").encode("utf-8")


def _rate(by: User, *, rows: int, tag: str) -> tuple[float, float]:
    from panorama.sales.models import LeadImport
    from panorama.sales.services.lead_import import lead_import_create, lead_import_undo
    from panorama.sales.services.lead_import_jobs import lead_import_process, lead_import_start

    upload = SimpleUploadedFile("bench-leads.csv", leads_csv(rows=rows, tag=tag), "text/csv")
    job = lead_import_create(by=by, upload=upload)
    started = time.perf_counter()
    lead_import_start(by=by, import_id=job.pk, mapping=job.mapping)
    job = lead_import_process(job_id=job.pk)  # a no-op if a task backend ran it already
    seconds = time.perf_counter() - started
    if job.status != LeadImport.Status.DONE or job.created_count < rows * 0.98:
        raise RuntimeError(f"The lead import ended {job.status}: {job.error}")
    started = time.perf_counter()
    job = lead_import_undo(by=by, import_id=job.pk)
    undo_seconds = time.perf_counter() - started
    return job.processed_rows / seconds, job.undo_deleted_count / undo_seconds


def measure_all(say: Callable[[str], None], *, rows: int = ROWS, runs: int = RUNS) -> dict:
    by = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if by is None:
        raise RuntimeError("The lead import bench needs an active superuser (bench seeds one).")
    say(f"Measuring the lead import ({runs} files of {rows:,} rows, each undone after)...")
    stamp = datetime.datetime.now().strftime("%H%M%S%f")
    measured = [_rate(by, rows=rows, tag=f"b{stamp}{n}") for n in range(runs)]
    rates, undos = [round(r) for r, _u in measured], [round(u) for _r, u in measured]
    say("  " + ", ".join(f"{r:,}" for r in rates) + " rows/s")
    say("  undone: " + ", ".join(f"{u:,}" for u in undos) + " leads/s")
    return {
        "lead_import_rows_per_s": round(statistics.median(rates)),
        "lead_import_undo_leads_per_s": round(statistics.median(undos)),
    }


def report_row(results: dict) -> tuple[str, str, str]:
    """The bench's summary line (a KeyError when the part was not measured)."""
    return (
        "lead import (its undo)",
        f"{results['lead_import_rows_per_s']:,} rows/s "
        f"({results['lead_import_undo_leads_per_s']:,} leads/s)",
        "",
    )
