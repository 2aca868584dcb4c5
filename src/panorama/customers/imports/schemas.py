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
    progress: int = Field(..., description="Percent done, 0–100")
    error: str
    created_by: str | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    undone_at: datetime.datetime | None
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


class RowErrorOut(Schema):
    row_number: int
    field: str
    message: str
    raw: dict[str, str]


class ImportReportOut(Schema):
    job: ImportJobOut
    errors: list[RowErrorOut]


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
