"""A table of the warehouse as CSV or XLSX, safe to open in a spreadsheet: every text
cell goes through the customers app's ``csv_cell_safe`` (a cell that would start a
formula gets a leading apostrophe), numbers stay numbers."""

import csv
import io
from datetime import date
from decimal import Decimal

from panorama.customers.services.export import csv_cell_safe


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal | date):
        return value
    return csv_cell_safe(value)


def table_csv(columns: list[str], rows: list[tuple]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell_safe(c) for c in columns])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode()  # the BOM: Excel reads UTF-8


def table_xlsx(columns: list[str], rows: list[tuple], *, title: str) -> bytes:
    from openpyxl import Workbook  # 1-2 s to import: only when a workbook is asked for

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=csv_cell_safe(title)[:31].replace("/", "-") or "Sheet")
    sheet.append([csv_cell_safe(c) for c in columns])
    for row in rows:
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
