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

    @staticmethod
    def resolve_progress(obj: ImportJob) -> int:
        return import_progress(obj)

    @staticmethod
    def resolve_created_by(obj: ImportJob) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None


class RowErrorOut(Schema):
    row_number: int
    field: str
    message: str
    raw: dict[str, str]


class ImportReportOut(Schema):
    job: ImportJobOut
    errors: list[RowErrorOut]
