"""API schemas of the duplicates workflow."""

import datetime
from typing import Any

from ninja import Field, Schema

from .models import CustomerMerge, DuplicateCandidate
from .services.scan import reason_text


class CustomerRefOut(Schema):
    id: int
    kind: str
    display_name: str
    merged_into_id: int | None


class ReasonOut(Schema):
    code: str
    detail: str = ""
    text: str


class DuplicateOut(Schema):
    id: int
    score: float
    status: str
    reasons: list[ReasonOut]
    customer_a: CustomerRefOut
    customer_b: CustomerRefOut
    found_at: datetime.datetime

    @staticmethod
    def resolve_reasons(obj: DuplicateCandidate) -> list[dict[str, Any]]:
        return [{**r, "text": reason_text(r)} for r in obj.reasons]


class DuplicatePageOut(Schema):
    items: list[DuplicateOut]
    next_cursor: str | None


class DuplicateFilters(Schema):
    status: str = "open"
    cursor: str = ""
    limit: int = Field(50, ge=1, le=200)


class ScanOut(Schema):
    task_id: str
    status: str


class MergeIn(Schema):
    survivor_id: int


class DirectMergeIn(Schema):
    survivor_id: int
    merged_id: int


class MergeOut(Schema):
    id: int
    survivor: CustomerRefOut
    merged: CustomerRefOut
    moved: dict[str, int] = Field(..., description="rows moved to the survivor, per table")
    kept: dict[str, int] = Field(
        ..., description="rows left on the merged customer (the survivor already had them)"
    )
    dropped: dict[str, int] = Field(
        ...,
        description="links of the merged customer deleted, as the survivor already had them "
        "(same group): restored by an undo",
    )
    merged_by_id: int | None
    merged_at: datetime.datetime
    undone_at: datetime.datetime | None
    undone_by_id: int | None
    undo_conflicts: list[dict[str, str]] = Field(
        ...,
        description="fields the merge filled that were changed since, left as they are by "
        "the undo: field, before, merged, current",
    )

    @staticmethod
    def resolve_moved(obj: CustomerMerge) -> dict[str, int]:
        return {label: len(ids) for label, ids in obj.relinked.items()}

    @staticmethod
    def resolve_kept(obj: CustomerMerge) -> dict[str, int]:
        return {label: len(ids) for label, ids in obj.kept.items()}

    @staticmethod
    def resolve_dropped(obj: CustomerMerge) -> dict[str, int]:
        return {label: len(rows) for label, rows in obj.dropped.items()}
