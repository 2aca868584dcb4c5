"""The export bulk actions every list may offer (``ListDefinition.bulk_export``): the
selected rows, or all that match, with the list's shown columns, as CSV or XLSX.

It runs as a bulk job (``core.lists.jobs``) like any bulk action: scoped by the list's
own ``filtered()``, progress shown, chunk by chunk. The cells are the list's own (what
the user sees, chips as their text), numbers and dates stay numbers and dates in XLSX,
and every text cell goes through ``csv_cell_safe``: a spreadsheet shows it, never runs
it. The file is written to the default storage under a random name and downloaded
through ``core:list_bulk_file`` by the job's user only, until ``EXPORT_TTL`` after it
finished; the worker's sweep deletes it then."""

from __future__ import annotations

import csv
import datetime
import html
import io
import secrets
import tempfile
from decimal import Decimal
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Model, Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from panorama.core.spreadsheet import csv_cell_safe

from .actions import BulkAction
from .definition import Column

EXPORT_TTL = datetime.timedelta(hours=24)
FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_actions(permission: str) -> list[BulkAction]:
    return [
        BulkAction("export_csv", _("Export as CSV"), export="csv", permission=permission),
        BulkAction(
            "export_xlsx", _("Export as Excel (XLSX)"), export="xlsx", permission=permission
        ),
    ]


def plain(value: Any) -> Any:
    """A cell as a spreadsheet holds it: HTML (a chip, a link) as its text, "—" as
    empty, numbers and dates as they are, anything else as text."""
    if value is None or value == "—":
        return ""
    if hasattr(value, "__html__"):
        return " ".join(html.unescape(strip_tags(str(value))).split())
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal | datetime.date):
        return value
    return str(value)


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    return value if not isinstance(value, str) else csv_cell_safe(value)


class ExportWriter:
    """Rows in, one file out (in a temporary file while it grows, then to storage)."""

    def __init__(self, *, fmt: str, columns: list[Column], title: str) -> None:
        self.fmt, self.columns, self.title = fmt, columns, title
        self.lookups: list[str | Prefetch] = []
        for column in columns:
            self.lookups += [lookup for lookup in column.prefetch if lookup not in self.lookups]
        header = [str(c.label) for c in columns]
        if fmt == "xlsx":
            from openpyxl import Workbook  # slow to import: only when a workbook is asked

            self.book = Workbook(write_only=True)
            name = csv_cell_safe(title)[:31].translate(str.maketrans("/\\?*[]:", "-------"))
            self.sheet = self.book.create_sheet(title=name or "Sheet")
            self.sheet.append([csv_cell_safe(h) for h in header])
        else:
            # Closed by save(), once the file is stored.
            self.out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b")  # noqa: SIM115
            self.text = io.TextIOWrapper(self.out, encoding="utf-8", newline="")
            self.text.write("\ufeff")  # the BOM: Excel reads UTF-8
            self.csv = csv.writer(self.text)
            self.csv.writerow([csv_cell_safe(h) for h in header])

    def write(self, rows: list[Model]) -> None:
        """One chunk of rows: what the shown columns need, one query per lookup."""
        if self.lookups and rows:
            prefetch_related_objects(rows, *self.lookups)
        for row in rows:
            cells = [plain(column.cell(row)) for column in self.columns]
            if self.fmt == "xlsx":
                self.sheet.append([_xlsx_cell(c) for c in cells])
            else:
                self.csv.writerow([csv_cell_safe(c) for c in cells])

    def save(self, list_name: str) -> str:
        """Store the file; its storage name (a random folder: never guessed)."""
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = f"bulk-exports/{secrets.token_urlsafe(16)}/{list_name}-{stamp}.{self.fmt}"
        if self.fmt == "xlsx":
            buffer = io.BytesIO()
            self.book.save(buffer)
            buffer.seek(0)
            return default_storage.save(name, File(buffer))
        self.text.flush()
        self.out.seek(0)
        stored = default_storage.save(name, File(self.out))
        self.text.close()
        return stored
