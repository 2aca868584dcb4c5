"""What an import would do, before it runs: the wizard's checked preview and dry run.

Neither forks the import's rules: the rows go through ``row_check`` (the validation of
``customer_create``) and ``Batch.forecast`` (the matching of ``Batch.write``: same
identifier rules, same duplicates within the file, same scope), and nothing is
written but the job's own ``dry_run`` record.

- ``import_preview_check``: the first ``PREVIEW_ROWS`` rows, each cell with its
  problems and each row with what the import would do with it (create, update, leave
  unchanged, reject), for the mapping on screen; in the request.
- ``import_job_dry_run_start`` / ``import_job_dry_run``: the whole file, in the
  background (``tasks.dry_run_import``) with its progress in ``ImportJob.dry_run``, and
  the counts: would create, update, leave unchanged, reject.
"""

import logging
import uuid
from contextlib import closing, suppress
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.customers.models import ImportJob

from .check import plan_make, rows_check
from .files import Source, header_next, rows_chunks, rows_count_limited, rows_read
from .jobs import import_job_preview
from .mapping import TARGETS, definitions_by_key, mapping_resolve
from .rows import Batch
from .run import BATCH_SIZE, job_source

logger = logging.getLogger(__name__)
PROBLEMS_KEPT = 20  # rejections a dry run shows (the run itself keeps every one)


@dataclass
class PreviewCell:
    value: str
    problems: list[str] = field(default_factory=list)


@dataclass
class PreviewRow:
    number: int
    cells: list[PreviewCell]
    outcome: str  # create, update, unchanged, reject
    problems: list[dict[str, str]] = field(default_factory=list)  # {"field", "message"}


@dataclass
class Preview:
    headers: list[str]
    rows: list[PreviewRow]
    mapping: dict[str, str]
    mapping_error: str = ""

    @property
    def invalid_rows(self) -> int:
        return sum(1 for r in self.rows if r.outcome == "reject")


def _mapping_clean(headers: list[str], mapping: dict[str, str], definitions) -> dict[str, str]:
    """The mapping of a preview still being edited: a column mapped to no known field
    is not imported ("")."""
    known = set(TARGETS) | {f"cf:{key}" for key in definitions}
    return {h: (t if t in known else "") for h, t in mapping.items() if h in headers}


def import_preview_check(
    *, job: ImportJob, mapping: dict[str, str] | None = None, source: Source | None = None
) -> Preview:
    """The first rows of the job's file checked as the import would check them, with
    ``mapping`` (default: the job's); ``source``: the file already inspected."""
    source = source or import_job_preview(job=job)
    definitions = definitions_by_key()
    mapping = _mapping_clean(
        source.headers, job.mapping if mapping is None else mapping, definitions
    )
    mapping_error = ""
    try:
        mapping_resolve(headers=source.headers, mapping=mapping, definitions=definitions)
    except ValidationFailed as exc:
        mapping_error = str(exc.message)
    plan = plan_make(
        headers=source.headers, mapping=mapping, definitions=definitions, by=job.created_by
    )
    batch = Batch(job, plan)
    for checked in rows_check(plan, list(zip(source.preview_numbers, source.preview, strict=True))):
        batch.add_checked(checked)
    outcomes = batch.forecast()
    problems = {error.row_number: error.problems for error in batch.errors}
    width = len(source.headers)
    rows = []
    for number, cells in zip(source.preview_numbers, source.preview, strict=True):
        shown = [PreviewCell(value) for value in (cells + [""] * width)[:width]]
        loose = []
        for problem in problems.get(number, []):
            column = problem["field"]
            if column in source.headers:
                shown[source.headers.index(column)].problems.append(problem["message"])
            else:
                loose.append(problem)
        rows.append(PreviewRow(number, shown, outcomes.get(number, "reject"), loose))
    return Preview(source.headers, rows, mapping, mapping_error)


# --- dry run ---------------------------------------------------------------------------


@transaction.atomic
def import_job_dry_run_start(
    *, job: ImportJob, mapping: dict[str, str] | None, by: User | None
) -> ImportJob:
    """Check the whole file with ``mapping`` (kept as the job's) in the background."""
    from ..tasks import dry_run_import

    ensure_can(by, "customers.import")
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.PENDING or job.queued_at is not None:
        raise Conflict(_("This import has already been started."))
    source = import_job_preview(job=job)
    job.mapping = mapping_resolve(
        headers=source.headers, mapping=mapping, definitions=definitions_by_key()
    )
    job.dry_run = {
        "run": uuid.uuid4().hex,
        "status": "running",
        "mapping": job.mapping,
        "total": 0,
        "processed": 0,
        "create": 0,
        "update": 0,
        "unchanged": 0,
        "reject": 0,
        "problems": [],
    }
    job.save(update_fields=["mapping", "dry_run"])
    transaction.on_commit(lambda: dry_run_import.enqueue(job.pk, job.dry_run["run"]))
    return job


class _Superseded(Exception):
    """Another dry run (a changed mapping) or the import itself took over the job."""


def _save(job_id: int, run: str, state: dict[str, Any]) -> None:
    with transaction.atomic():
        current = (
            ImportJob.objects.select_for_update()
            .filter(pk=job_id, queued_at__isnull=True)
            .values_list("dry_run", flat=True)
            .first()
        )
        if not current or current.get("run") != run:
            raise _Superseded
        ImportJob.objects.filter(pk=job_id).update(dry_run=state)


def import_job_dry_run(*, job_id: int, run: str) -> dict[str, Any]:
    """Run the dry run ``run`` of a waiting job; returns its final state."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None:  # deleted since it was queued
        return {}
    state = dict(job.dry_run)
    if state.get("run") != run or job.queued_at is not None:
        return state
    language = (job.created_by.language if job.created_by else "") or translation.get_language()
    with translation.override(language):
        try:
            _dry_run(job, run, state)
        except _Superseded:
            return state
        except ValidationFailed as exc:
            state.update(status="failed", error=str(exc.message))
        except Exception as exc:
            logger.exception("dry run of import %s failed", job_id)
            state.update(
                status="failed",
                error=_("The check stopped on an unexpected error: %(error)s") % {"error": exc},
            )
        else:
            state["status"] = "done"
        with suppress(_Superseded):
            _save(job_id, run, state)
    return state


def _dry_run(job: ImportJob, run: str, state: dict[str, Any]) -> None:
    source = job_source(job)
    definitions = definitions_by_key()
    with job.file.open("rb") as fh:
        state["total"] = max(rows_count_limited(fh, source) - 1, 0)
        _save(job.pk, run, state)
        with closing(rows_read(fh, source)) as reader:
            rows = enumerate(reader, start=1)
            plan = plan_make(
                headers=header_next(rows),
                mapping=state["mapping"],
                definitions=definitions,
                by=job.created_by,
            )
            for chunk in rows_chunks(rows, BATCH_SIZE):
                _count(job, plan, chunk, state)
                if len(chunk) >= BATCH_SIZE:  # a smaller, last chunk: saved with the result
                    _save(job.pk, run, state)


def _count(job: ImportJob, plan, chunk: list[tuple[int, list[str]]], state: dict) -> None:
    batch = Batch(job, plan)
    for checked in rows_check(plan, chunk):
        batch.add_checked(checked)
    outcomes = batch.forecast()
    for outcome in outcomes.values():
        state[outcome] += 1
    state["processed"] += len(chunk)
    headers = job.headers
    for error in sorted(batch.errors, key=lambda e: e.row_number):
        if len(state["problems"]) >= PROBLEMS_KEPT:
            break
        for problem in error.problems:
            column = problem["field"]
            at = headers.index(column) if column in headers else -1
            state["problems"].append(
                {
                    "row": error.row_number,
                    "column": column,
                    "value": error.cells[at] if 0 <= at < len(error.cells) else "",
                    "reason": problem["message"],
                }
            )
