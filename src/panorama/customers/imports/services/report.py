"""The rejected rows of an import as a file to fix and import again.

Each line is the row as it was read, every column of the file in its order, followed
by its spreadsheet row number, the column(s) at fault, their value(s) and the reason(s)
(several problems of one row are joined with "; ", so the row comes back once). The
extra columns have headers no mapping guesses, so the fixed file imports like the
original. Every cell goes through the customer export's ``csv_cell_safe`` (names,
headers and values come from whoever uploaded the file); the import reads a defused
cell back as it was typed.
"""

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from panorama.customers.services.export import csv_cell_safe

from ..models import ImportJob


def import_rejected_csv(*, job: ImportJob) -> Iterator[str]:
    """The report as CSV text in chunks (a byte-order mark first, for spreadsheets)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    width = len(job.headers)
    headers = list(job.headers)
    writer.writerow(
        csv_cell_safe(h) for h in [*headers, _("Row"), _("Column"), _("Value"), _("Problems")]
    )
    yield "\ufeff" + buffer.getvalue()
    for error in job.row_errors.order_by("row_number", "id").iterator(chunk_size=1000):
        buffer.seek(0)
        buffer.truncate()
        cells = (list(error.cells) + [""] * width)[:width]
        columns = [p.get("field", "") for p in error.problems] or [error.field]
        values = [cells[headers.index(c)] if c in headers else "" for c in columns]
        writer.writerow(
            csv_cell_safe(c)
            for c in [
                *cells,
                error.row_number,
                "; ".join(dict.fromkeys(c for c in columns if c)),
                "; ".join(dict.fromkeys(v for v in values if v)),
                error.message,
            ]
        )
        yield buffer.getvalue()
