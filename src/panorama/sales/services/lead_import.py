"""Importing leads from CSV/XLSX with the customers import's pieces.

Reused from ``customers/imports/services/files.py`` and ``mapping.py``: the file reading
(format, encoding, delimiter, header; XLSX guarded against zip bombs), the hostile-file
limits (inspection and counting in a process of bounded memory and CPU time), the column
aliases (Spanish and English headers) and the row report's shape (every column as read,
then the row number and its problems, each cell made formula-safe by ``csv_cell_safe``).
Run like the customers import, by the task worker (``lead_import_jobs.py``): batches
committed with their progress and a heartbeat, a graceful stop queued again, a worker
killed outright resumed by the sweep (``core.jobs``). Not reused: matching existing
customers and undo records per field — each row is checked by ``lead_build`` (the
lead's one validation), a batch's valid leads are written together with their
assignment, scores, activities and events (``lead_bulk.leads_create_many``), and the
undo removes the leads nobody has touched since, in sets (``lead_import_undo``)."""

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, NotFound, ValidationFailed
from panorama.customers.imports.services.files import (
    rows_count_limited,
    source_inspect_limited,
)
from panorama.customers.imports.services.mapping import _ALIASES, alias_index, headers_guess
from panorama.customers.services.export import csv_cell_safe

from ..models import Activity, Lead, LeadActivity, LeadImport

TARGETS = [
    "first_name",
    "last_name",
    "company",
    "job_title",
    "email",
    "phone",
    "country",
    "region",
    "postal_code",
    "notes",
]
CONTACT_TARGETS = ("first_name", "last_name", "company", "email", "phone")
DATA_TARGETS = ("country", "region", "postal_code")
_LEAD_ALIASES = {
    **{t: _ALIASES[t] for t in TARGETS if t in _ALIASES},
    "company": [*_ALIASES["legal_name"], "compania", "compañia", "organizacion"],
    "job_title": ["cargo", "puesto", "job title", "title", "position", "role"],
}
ALIAS_INDEX = alias_index(_LEAD_ALIASES, TARGETS)


def target_labels() -> dict[str, str]:
    return {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "company": _("Company"),
        "job_title": _("Job title"),
        "email": _("E-mail"),
        "phone": _("Phone"),
        "country": _("Country"),
        "region": _("Region"),
        "postal_code": _("Postal code"),
        "notes": _("Notes"),
    }


def mapping_guess(headers: list[str]) -> dict[str, str]:
    return headers_guess(headers, ALIAS_INDEX)


def mapping_check(headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """``mapping`` (column → lead field, "" ignored) checked against the file's columns."""
    if not isinstance(mapping, dict):
        raise ValidationFailed(_("The mapping is a JSON object: column → field."), field="mapping")
    unknown = [c for c in mapping if c not in headers]
    if unknown:
        raise ValidationFailed(
            _("The mapping names columns the file does not have: %(cols)s.")
            % {"cols": ", ".join(map(str, unknown))},
            field="mapping",
        )
    used: dict[str, str] = {}
    for column, target in mapping.items():
        if not target:
            continue
        if target not in TARGETS:
            raise ValidationFailed(
                _("Column %(col)s is mapped to %(target)s, which is not a lead field.")
                % {"col": column, "target": target},
                field="mapping",
            )
        if target in used:
            raise ValidationFailed(
                _("Columns %(a)s and %(b)s are both mapped to %(target)s.")
                % {"a": used[target], "b": column, "target": target},
                field="mapping",
            )
        used[target] = column
    if not any(t in used for t in CONTACT_TARGETS):
        labels = target_labels()
        raise ValidationFailed(
            _("No column gives a name, a company, an e-mail or a phone: map one to %(f)s.")
            % {"f": ", ".join(labels[t] for t in CONTACT_TARGETS)},
            field="mapping",
        )
    return {c: t for c, t in mapping.items() if t}


@transaction.atomic
def lead_import_create(*, by: User, upload: UploadedFile) -> LeadImport:
    """Check the file (format, size, rows, columns, in a bounded process) and keep it
    with the guessed mapping, waiting for the user to review it."""
    ensure_can(by, "sales.edit")
    if upload.size is not None and upload.size > settings.PANORAMA_MAX_IMPORT_BYTES:
        raise ValidationFailed(
            _("The file is %(size)s; the largest import accepted is %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.PANORAMA_MAX_IMPORT_BYTES),
            },
            field="file",
        )
    name = upload.name or "leads.csv"
    fh = upload.file
    if fh is None:
        raise ValidationFailed(_("Choose a CSV or Excel (.xlsx) file."), field="file")
    source = source_inspect_limited(fh, name)
    fh.seek(0)
    rows = rows_count_limited(fh, source) - 1
    if rows > settings.PANORAMA_LEAD_IMPORT_MAX_ROWS:
        raise ValidationFailed(
            _("The file has %(n)d rows; a lead import takes at most %(max)d.")
            % {"n": rows, "max": settings.PANORAMA_LEAD_IMPORT_MAX_ROWS},
            field="file",
        )
    if rows < 1:
        raise ValidationFailed(_("The file has no row under its header."), field="file")
    fh.seek(0)
    job = LeadImport(
        original_name=name[:255],
        file_format=source.file_format,
        encoding=source.encoding,
        delimiter=source.delimiter,
        headers=source.headers,
        preview=source.preview,
        mapping=mapping_guess(source.headers),
        total_rows=rows,
        created_by=by,
    )
    job.file.save(name, upload, save=False)
    job.save()
    return job


def lead_imports_visible_to(user: User):
    qs = LeadImport.objects.all()
    return qs if user.sees_all_customers else qs.filter(created_by=user)


def lead_import_get(*, user: User, import_id: int, for_update: bool = False) -> LeadImport:
    qs = lead_imports_visible_to(user)
    if for_update:
        qs = qs.select_for_update()
    job = qs.filter(pk=import_id).first()
    if job is None:
        raise NotFound(_("Import %(id)s does not exist or is not yours.") % {"id": import_id})
    return job


def row_values(headers: list[str], mapping: dict[str, str], cells: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    data: dict[str, str] = {}
    for index, header in enumerate(headers):
        target = mapping.get(header)
        if not target or index >= len(cells):
            continue
        text = (cells[index] or "").strip()
        if target in DATA_TARGETS:
            if text:
                data[target] = text
        else:
            values[target] = text
    values["data"] = data
    return values


# Leads removed per round of the undo's set statements.
UNDO_BATCH = 2_000


def leads_untouched(job: LeadImport) -> QuerySet[Lead]:
    """The import's leads nobody has worked on since: still new, never converted, not
    edited (the import writes ``created_at`` and ``updated_at`` as one instant: any save
    since moves ``updated_at``), no activity recorded by hand (a call, a note, a visit...)
    and none on the agenda."""
    return Lead.objects.filter(
        lead_import=job,
        status=Lead.Status.NEW,
        customer__isnull=True,
        opportunity__isnull=True,
        updated_at__lte=F("created_at"),
    ).exclude(
        Exists(LeadActivity.objects.filter(lead=OuterRef("pk"), kind__in=LeadActivity.RECORDABLE))
        | Exists(Activity.objects.filter(lead=OuterRef("pk")))
    )


def _leads_remove(ids: list[int]) -> int:
    """Delete these leads and what hangs on them, a statement per table, without
    Django's cascade (which reads every row of every related table first: 0.5-1 s per
    2,000 leads). Every table with a foreign key to a lead (``Lead._meta.related_objects``,
    checked by a test): their activities (CASCADE) go; a mail ledger entry or an agenda
    item that named one (SET_NULL) stays, without it."""
    from panorama.channels.models import MailEntry

    LeadActivity.objects.filter(lead_id__in=ids)._raw_delete(DEFAULT_DB_ALIAS)
    MailEntry.objects.filter(lead_id__in=ids).update(lead=None)
    Activity.objects.filter(lead_id__in=ids).update(lead=None)
    return Lead.objects.filter(pk__in=ids)._raw_delete(DEFAULT_DB_ALIAS)


@transaction.atomic
def lead_import_undo(*, by: User, import_id: int) -> LeadImport:
    """Remove the import's leads nobody has worked on since (``leads_untouched``); the
    others stay and are counted: someone's work is never thrown away. In rounds of
    ``UNDO_BATCH`` leads, each one SELECT that locks them (an edit at the same moment
    waits, then finds the lead gone) and a statement per dependent table: the queries do
    not grow with the leads."""
    ensure_can(by, "sales.edit")
    job = lead_import_get(user=by, import_id=import_id, for_update=True)
    if job.status not in (LeadImport.Status.DONE, LeadImport.Status.FAILED):
        raise Conflict(_("Only a finished import can be undone, once."), field="status")
    untouched = leads_untouched(job).order_by("pk").select_for_update(of=("self",))
    deleted, after = 0, 0
    while True:
        ids = list(untouched.filter(pk__gt=after).values_list("pk", flat=True)[:UNDO_BATCH])
        if not ids:
            break
        deleted += _leads_remove(ids)
        after = ids[-1]
        if len(ids) < UNDO_BATCH:
            break
    leads = Lead.objects.filter(lead_import=job)
    job.undo_deleted_count = deleted
    job.undo_kept_count = leads.count()
    job.status, job.undone_at, job.undone_by = LeadImport.Status.UNDONE, timezone.now(), by
    job.save()
    emit(
        "lead.import_undone",
        import_id=job.pk,
        removed=deleted,
        kept=job.undo_kept_count,
        by=by.pk,
    )
    return job


def lead_import_rejected_csv(*, job: LeadImport) -> Iterator[str]:
    """The rejected rows as the customers import reports them: every column of the file
    as read, then the row number, the columns at fault, their values and the problems
    (one of each per problem, in the same order, joined with "; "; formula-safe cells).
    The extra columns' headers are none a mapping guesses: the fixed file imports like
    the original."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    width = len(job.headers)
    headers = list(job.headers)
    writer.writerow(
        csv_cell_safe(h) for h in [*headers, _("Row"), _("Column"), _("Value"), _("Problems")]
    )
    yield "\ufeff" + buffer.getvalue()
    for row in job.rejected_rows.order_by("row_number", "id").iterator(chunk_size=1000):
        buffer.seek(0)
        buffer.truncate()
        cells = (list(row.cells) + [""] * width)[:width]
        problems = row.problems or [{"field": "", "message": row.message}]
        columns = [p.get("field", "") for p in problems]
        values = [cells[headers.index(c)] if c in headers else "" for c in columns]
        reasons = [p.get("message", "") for p in problems]
        writer.writerow(
            csv_cell_safe(c)
            for c in [*cells, row.row_number, *("; ".join(x) for x in (columns, values, reasons))]
        )
        yield buffer.getvalue()
