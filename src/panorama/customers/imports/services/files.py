"""Reading an import file: format, encoding, delimiter, header and rows.

Everything here works on a binary file object (an upload or a stored file), so the
upload check and the background run read a file exactly the same way. Which field each
column feeds is ``mapping.py``'s.
"""

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed
from panorama.core.limited import LimitExceeded, call_limited

CSV, XLSX = "csv", "xlsx"
ENCODINGS = ["utf-8-sig", "cp1252", "latin-1"]
# Excel's "Unicode text" (.txt, tab-separated) is UTF-16 with a byte-order mark.
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
DELIMITERS = [",", ";", "\t"]
PREVIEW_ROWS = 20  # the wizard checks these with the import's own validation


@dataclass
class Source:
    """How to read one file, and what its first lines hold."""

    file_format: str
    encoding: str = ""
    delimiter: str = ""
    headers: list[str] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)
    # The spreadsheet row number of each preview row (the header is row 1).
    preview_numbers: list[int] = field(default_factory=list)


def file_format_of(name: str, head: bytes) -> str:
    lowered = (name or "").lower()
    if lowered.endswith(".xlsx"):
        if not head.startswith(b"PK"):
            raise ValidationFailed(
                _("This .xlsx file is damaged or is not an Excel workbook."), field="file"
            )
        return XLSX
    if lowered.endswith((".csv", ".txt", ".tsv")):
        return CSV
    raise ValidationFailed(
        _("%(name)s is neither a CSV nor an Excel (.xlsx) file.") % {"name": name}, field="file"
    )


def detect_encoding(fh: IO[bytes]) -> str:
    """UTF-16 when the file starts with its byte-order mark, else the first of UTF-8,
    Windows-1252 and Latin-1 that decodes the whole file."""
    fh.seek(0)
    if fh.read(2) in _UTF16_BOMS:
        return "utf-16"  # the codec reads the mark and the byte order from it
    for encoding in ENCODINGS:
        fh.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"  # never reached: Latin-1 decodes any byte


def detect_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        first_line = sample.splitlines()[0] if sample else ""
        counts = {d: first_line.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a user typed (600112233, not 600112233.0)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def row_blank(cells: list[str]) -> bool:
    """A row with nothing but blanks, skipped everywhere (one join, not a test per cell)."""
    return not "".join(cells).strip()


def _csv_rows(fh: IO[bytes], source: Source) -> Generator[list[str]]:
    fh.seek(0)
    text = io.TextIOWrapper(fh, encoding=source.encoding, newline="")
    try:
        yield from csv.reader(text, delimiter=source.delimiter)
    finally:
        text.detach()


def _damaged() -> ValidationFailed:
    return ValidationFailed(
        _("This .xlsx file is damaged or is not an Excel workbook."), field="file"
    )


def _too_many_rows() -> ValidationFailed:
    return ValidationFailed(
        _("The file has more than %(n)s rows; split it into smaller files.")
        % {"n": f"{settings.PANORAMA_IMPORT_MAX_ROWS:,}"},
        field="file",
    )


def _too_many_columns() -> ValidationFailed:
    return ValidationFailed(
        _("The file has more than %(n)s columns: an import file has one column per field.")
        % {"n": settings.PANORAMA_IMPORT_MAX_COLUMNS},
        field="file",
    )


def xlsx_guard(fh: IO[bytes]) -> None:
    """Refuse a workbook whose parts unpack to more than the limits allow, from the zip's
    directory alone, before anything is decompressed (a reader never gets more bytes of
    a part than the directory declares)."""
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _damaged() from None
    if len(parts) > 10_000:
        raise _damaged()
    total = 0
    for part in parts:
        total += part.file_size
        ratio = part.file_size / max(part.compress_size, 1)
        shared = part.filename.lower().endswith("sharedstrings.xml")
        too_packed = part.file_size > 1024 * 1024 and (
            ratio > settings.PANORAMA_IMPORT_MAX_COMPRESSION_RATIO
        )
        if (
            too_packed
            or total > settings.PANORAMA_IMPORT_MAX_UNPACKED_BYTES
            or (shared and part.file_size > settings.PANORAMA_IMPORT_MAX_SHARED_STRINGS_BYTES)
        ):
            raise ValidationFailed(
                _(
                    "This Excel file unpacks to %(size)s (%(part)s alone: %(unpacked)s from "
                    "%(packed)s), more than an import accepts. Save it again from Excel, or "
                    "export it as CSV."
                )
                % {
                    "size": filesizeformat(sum(p.file_size for p in parts)),
                    "part": part.filename,
                    "unpacked": filesizeformat(part.file_size),
                    "packed": filesizeformat(part.compress_size),
                },
                field="file",
            )


def _xlsx_rows(fh: IO[bytes]) -> Generator[list[str]]:
    import openpyxl

    xlsx_guard(fh)
    fh.seek(0)
    try:
        workbook = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except MemoryError:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise _damaged() from None
    limit = settings.PANORAMA_IMPORT_MAX_ROWS
    try:
        if (sheet.max_row or 0) > limit + 1:  # the sheet's own declared size
            raise _too_many_rows()
        # Read rows as they are, not as the declared size pads them (with blank rows up
        # to a declared million, or blank cells up to a far column).
        sheet.reset_dimensions()
        cap = settings.PANORAMA_IMPORT_MAX_COLUMNS
        header_at = 0
        for number, values in enumerate(sheet.iter_rows(max_col=cap + 1, values_only=True), 1):
            cells = [cell_text(v) for v in values]
            if row_blank(cells):
                if number > limit:
                    return
                yield []
                continue
            while cells and not cells[-1]:
                cells.pop()
            if len(cells) > cap:
                raise _too_many_columns()
            header_at = number
            yield cells
            break
        if not header_at:
            return
        width = len(cells)
        for values in sheet.iter_rows(min_row=header_at + 1, max_col=width, values_only=True):
            yield [cell_text(v) for v in values]
    finally:
        workbook.close()


def header_next(rows: Iterator[tuple[int, list[str]]]) -> list[str]:
    """Take the numbered ``rows`` up to the first that holds something: the header, its
    cells stripped ([] for a file of blank rows); ``rows`` then goes on after it."""
    return next(([c.strip() for c in r] for _n, r in rows if not row_blank(r)), [])


def rows_chunks(
    rows: Iterable[tuple[int, list[str]]], size: int
) -> Generator[list[tuple[int, list[str]]]]:
    """The numbered rows that hold something, ``size`` at a time (the last chunk smaller)."""
    chunk: list[tuple[int, list[str]]] = []
    for number, cells in rows:
        if row_blank(cells):
            continue
        chunk.append((number, cells))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def rows_read(fh: IO[bytes], source: Source) -> Generator[list[str]]:
    """Every row of the file, header included, as lists of text."""
    if source.file_format == XLSX:
        return _xlsx_rows(fh)
    return _csv_rows(fh, source)


def _limits_refusal(exc: LimitExceeded) -> ValidationFailed:
    if exc.kind == "time":
        message = _("Reading this file took too long; split it into smaller files.")
    else:
        message = _(
            "Reading this file needs more memory than an import may use; split it into "
            "smaller files, or save it as CSV."
        )
    return ValidationFailed(message, field="file")


# A CSV this small cannot take much memory to read whatever it holds (at worst one row
# of millions of empty cells: tens of MB), so it is read in this process and spares the
# fork (~15 ms of CPU, up to 80 ms of waiting on a busy machine). A workbook, which
# unpacks, is always read in the limited process.
CSV_READ_IN_PROCESS = 8 * 1024 * 1024


def _small_csv(fh: IO[bytes], is_csv: bool) -> bool:
    if not is_csv:
        return False
    fh.seek(0, io.SEEK_END)
    return fh.tell() <= CSV_READ_IN_PROCESS


def source_inspect_limited(fh: IO[bytes], name: str) -> Source:
    """``source_inspect`` in a forked process of bounded memory and CPU time
    (``core.limited``): a hostile file never takes the web server or the worker down."""
    if _small_csv(fh, not (name or "").lower().endswith(".xlsx")):
        return source_inspect(fh, name)
    try:
        return call_limited(
            source_inspect,
            fh,
            name,
            memory_bytes=settings.PANORAMA_IMPORT_READ_MEMORY_BYTES,
            cpu_seconds=settings.PANORAMA_IMPORT_READ_SECONDS,
        )
    except LimitExceeded as exc:
        raise _limits_refusal(exc) from None


def rows_count(fh: IO[bytes], source: Source) -> int:
    """The rows of the file that hold something, header included; refuses a file with
    more than ``PANORAMA_IMPORT_MAX_ROWS`` data rows as soon as it reads one too many."""
    limit = settings.PANORAMA_IMPORT_MAX_ROWS + 1
    count = 0
    rows = rows_read(fh, source)
    try:
        for row in rows:
            if not row_blank(row):
                count += 1
                if count > limit:
                    raise _too_many_rows()
    except csv.Error as exc:
        raise ValidationFailed(
            _("The file cannot be read as CSV: %(error)s.") % {"error": exc}, field="file"
        ) from None
    finally:
        rows.close()
    return count


def rows_count_limited(fh: IO[bytes], source: Source) -> int:
    """``rows_count`` in a process of bounded memory and CPU time: the first full read
    of a file happens there, so the run reads only files known to fit."""
    if _small_csv(fh, source.file_format == CSV):
        return rows_count(fh, source)
    try:
        return call_limited(
            rows_count,
            fh,
            source,
            memory_bytes=settings.PANORAMA_IMPORT_READ_MEMORY_BYTES,
            cpu_seconds=settings.PANORAMA_IMPORT_READ_SECONDS,
        )
    except LimitExceeded as exc:
        raise _limits_refusal(exc) from None


def source_inspect(fh: IO[bytes], name: str) -> Source:
    """Find how to read ``fh`` and its header; raises ValidationFailed on an unreadable file."""
    fh.seek(0)
    source = Source(file_format=file_format_of(name, fh.read(4)))
    if source.file_format == CSV:
        source.encoding = detect_encoding(fh)
        fh.seek(0)
        # The sniffer's regular expressions cost ~0.1 s per 64 KB: whole lines of the
        # first 8 KB tell the delimiter as well.
        sample = fh.read(8 * 1024).decode(source.encoding, errors="replace")
        if "\n" in sample:
            sample = sample[: sample.rindex("\n")]
        source.delimiter = detect_delimiter(sample.lstrip("\ufeff"))
    rows = rows_read(fh, source)
    numbered = enumerate(rows, start=1)
    try:
        header = next((r for _n, r in numbered if not row_blank(r)), None)
        if header is None:
            raise ValidationFailed(_("The file is empty: it has no header row."), field="file")
        for number, row in numbered:
            if len(source.preview) >= PREVIEW_ROWS:
                break
            if not row_blank(row):
                source.preview.append(row)
                source.preview_numbers.append(number)
    except csv.Error as exc:
        raise ValidationFailed(
            _("The file cannot be read as CSV: %(error)s.") % {"error": exc}, field="file"
        ) from None
    finally:
        rows.close()
    source.headers = [h.strip() for h in header]
    while source.headers and not source.headers[-1]:
        source.headers.pop()
    if not any(source.headers):
        raise ValidationFailed(_("The header row is empty."), field="file")
    if len(source.headers) > settings.PANORAMA_IMPORT_MAX_COLUMNS:
        raise _too_many_columns()
    return source
