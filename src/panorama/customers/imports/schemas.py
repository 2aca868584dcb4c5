"""API schemas of the imports workflow."""

import datetime

from ninja import Field, Schema

from .models import ImportJob
from .selectors import import_progress


class ImportJobOut(Schema):
    id: int
    original_name: str
    status: str
    file_format: str
    encoding: str
    delimiter: str
    mapping: dict[str, str]
    total_rows: int
    processed_rows: int
    created_count: int
    updated_count: int
    unchanged_count: int
    rejected_count: int
    possible_duplicate_count: int = Field(
        ...,
        description="Of the rejected rows, those without identifier that look like a "
        "customer already there (same name): reported, not created twice",
    )
    progress: int = Field(..., description="Percent done, 0–100")
    error: str
    created_by: str | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    undone_at: datetime.datetime | None
    files_deleted_at: datetime.datetime | None = Field(
        ..., description="When the stored file and rejected rows were deleted (retention, undo)"
    )
    undone_by: str | None
    undo_total: int = Field(..., description="customers the undo has to go through")
    undo_processed: int
    undo_deleted: int = Field(..., description="created customers deleted")
    undo_restored: int = Field(..., description="updated customers given their values back")
    undo_kept: int = Field(..., description="created customers kept: records added since")
    undo_conflicts: int = Field(
        ..., description="changes not undone because someone changed them since (see undo-report)"
    )
    undo_error: str

    @staticmethod
    def resolve_progress(obj: ImportJob) -> int:
        return import_progress(obj)

    @staticmethod
    def resolve_created_by(obj: ImportJob) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None

    @staticmethod
    def resolve_undone_by(obj: ImportJob) -> str | None:
        return obj.undone_by.get_username() if obj.undone_by else None


class ProblemOut(Schema):
    field: str = Field(..., description="The file's column at fault ('' for the whole row)")
    message: str


class RowErrorOut(Schema):
    row_number: int = Field(..., description="As a spreadsheet numbers it (the header is 1)")
    field: str = Field(..., description="The column of the first problem")
    message: str = Field(..., description="Every problem of the row")
    problems: list[ProblemOut]
    cells: list[str] = Field(..., description="The row as read, one cell per column")
    raw: dict[str, str] = Field(..., description="The row as read, by column name")


class ImportReportOut(Schema):
    job: ImportJobOut
    rejected_listed: int = Field(
        ..., description="Rejected rows kept for the report (past a cap they are only counted)"
    )
    errors: list[RowErrorOut]
    next_cursor: str | None = Field(None, description="Pass it as `cursor` for the next page")


class UndoNoteOut(Schema):
    customer_id: int
    customer_name: str
    kind: str = Field(..., description="kept, conflict (not restored) or merged (since)")
    field: str
    detail: dict
    message: str


class UndoReportOut(Schema):
    count: int
    notes: list[UndoNoteOut]
