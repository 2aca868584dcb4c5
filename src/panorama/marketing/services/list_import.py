"""A static list from a file: one column of e-mail addresses, phones, references (any
identifier ``identify`` knows) or customer numbers, each row matched to one customer the
user may see, the matches joined to a new or an existing list (membership history and
the ``list.changed`` event through ``list_members_change``), and every row that joined
no one reported with its reason: nothing is dropped silently.

The file is read by the customer import's reader (format, encoding, delimiter, size and
row limits, a hostile workbook refused in a bounded process); the rows are matched here,
in the request, so a list import is capped far below a customer import
(``LIST_IMPORT_MAX_ROWS``): a bigger audience is a segment, not a file.
"""

import os
import unicodedata
from dataclasses import dataclass, field
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _
from ninja.files import UploadedFile

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import ValidationFailed
from panorama.customers.imports.services.files import (
    row_blank,
    rows_count_limited,
    rows_read,
    source_inspect_limited,
)
from panorama.customers.imports.services.jobs import upload_size_check
from panorama.customers.selectors import customers_visible_to, identify

from ..models import StaticList
from .segments import list_create, list_members_change

LIST_IMPORT_MAX_ROWS = 10_000
# A header naming customer numbers (Panorama's own ids), compared without case or accents.
ID_HEADERS = {"id", "customer id", "customer_id", "customer", "cliente", "id cliente", "id_cliente"}
VALUE_SHOWN = 200  # a row's value as the report repeats it


class Reason:
    UNKNOWN = "unknown"
    AMBIGUOUS = "ambiguous"
    INVALID = "invalid"
    DUPLICATE = "duplicate"


@dataclass
class RowProblem:
    row: int  # the spreadsheet's row number (the header is row 1)
    value: str
    reason: str
    message: str


@dataclass
class ListImportReport:
    static_list: StaticList
    rows: int = 0  # data rows read (blank rows aside)
    matched: int = 0  # distinct customers found
    joined: int = 0  # of them, who were not in the list yet
    already: int = 0  # of them, who already were
    problems: list[RowProblem] = field(default_factory=list)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _Matcher:
    """One row's value to one customer id, or the reason it is none."""

    def __init__(self, by: User | None, by_id: bool) -> None:
        self.by, self.by_id = by, by_id

    def match(self, value: str) -> tuple[int | None, str, str]:
        if self.by_id:
            return self._by_id(value)
        try:
            found = identify(user=self.by, value=value)
        except ValidationFailed as exc:
            return None, Reason.INVALID, str(exc.message)
        if len(found) == 1:
            return found[0].customer.pk, "", ""
        if len(found) > 1:
            return (
                None,
                Reason.AMBIGUOUS,
                _("%(n)s customers share this identifier: add them by hand.") % {"n": len(found)},
            )
        # A customer outside the user's scope reads as unknown: the report must not tell
        # him who exists beyond what he may see (as the hand selection does).
        return None, Reason.UNKNOWN, _("No customer has this identifier.")

    def _by_id(self, value: str) -> tuple[int | None, str, str]:
        if not value.isdigit() or not 0 < int(value) < 2**63:
            return None, Reason.INVALID, _("A customer number is a whole number.")
        pk = int(value)
        if customers_visible_to(self.by).filter(pk=pk).exists():
            return pk, "", ""
        return None, Reason.UNKNOWN, _("There is no customer with this number.")


def _open(upload: UploadedFile) -> tuple[IO[bytes], str]:
    upload_size_check(upload.size or 0)
    return upload, os.path.basename(upload.name or "list.csv")


@transaction.atomic
def list_import(
    *,
    by: User | None,
    upload: UploadedFile,
    name: str = "",
    static_list: StaticList | None = None,
) -> ListImportReport:
    """Match each row of ``upload`` and join the matches to ``static_list``, or to a new
    list named ``name``. The first row is a header (its cell "id" or "customer" means
    customer numbers; any other, identifiers), unless it is itself an e-mail address; only
    the first column is read. A bad file is a ValidationFailed (422), nothing created."""
    ensure_can(by, "marketing.build_segments")
    if static_list is None and not (name or "").strip():
        raise ValidationFailed(_("A list needs a name."), field="name")
    fh, filename = _open(upload)
    source = source_inspect_limited(fh, filename)
    count = rows_count_limited(fh, source)
    if count - 1 > LIST_IMPORT_MAX_ROWS:
        raise ValidationFailed(
            _(
                "The file has %(n)s rows; a list import reads at most %(max)s. For a larger "
                "audience build a segment."
            )
            % {"n": f"{count - 1:,}", "max": f"{LIST_IMPORT_MAX_ROWS:,}"},
            field="file",
        )
    header = source.headers[0] if source.headers else ""
    has_header = "@" not in header
    matcher = _Matcher(by, by_id=has_header and _plain(header) in ID_HEADERS)
    report_rows = 0
    matched: dict[int, int] = {}  # customer → the first row that found him
    problems: list[RowProblem] = []
    rows = rows_read(fh, source)
    try:
        header_seen = not has_header
        for number, cells in enumerate(rows, start=1):
            if row_blank(cells):
                continue
            if not header_seen:
                header_seen = True
                continue
            report_rows += 1
            value = (cells[0] if cells else "").strip()
            if not value:
                problems.append(
                    RowProblem(number, "", Reason.INVALID, _("The first column is empty."))
                )
                continue
            pk, reason, message = matcher.match(value)
            if pk is None:
                problems.append(RowProblem(number, value[:VALUE_SHOWN], reason, message))
            elif pk in matched:
                problems.append(
                    RowProblem(
                        number,
                        value[:VALUE_SHOWN],
                        Reason.DUPLICATE,
                        _("The same customer as row %(row)s.") % {"row": matched[pk]},
                    )
                )
            else:
                matched[pk] = number
    finally:
        rows.close()
    if not report_rows:
        raise ValidationFailed(_("The file has no rows under its header."), field="file")
    if static_list is None:
        static_list = list_create(by=by, name=name)
    joined, _left = list_members_change(by=by, static_list=static_list, add=list(matched))
    return ListImportReport(
        static_list=static_list,
        rows=report_rows,
        matched=len(matched),
        joined=joined,
        already=len(matched) - joined,
        problems=problems,
    )
