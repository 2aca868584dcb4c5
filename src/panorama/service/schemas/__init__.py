import datetime

from ninja import Schema

from panorama.core.validation import text_field

from ..models import Case


class CaseIn(Schema):
    customer_id: int
    subject: str = text_field(Case, "subject")
    description: str = ""
    channel: str = "phone"
    type: str = "question"
    priority: str = "normal"
    queue_id: int | None = None
    skill: str = text_field(Case, "skill", "")
    product_id: int | None = None
    asset_id: int | None = None


class CaseOut(Schema):
    id: int
    reference: str | None
    customer_id: int
    subject: str
    description: str
    channel: str
    type: str
    priority: str
    status: str
    queue_id: int | None
    skill: str
    owner_id: int | None
    product_id: int | None
    asset_id: int | None
    first_response_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    created_at: datetime.datetime


class CasePageOut(Schema):
    items: list[CaseOut]
    next_cursor: str | None


class CaseStatusIn(Schema):
    status: str
    note: str = ""


class CaseAssignIn(Schema):
    owner_id: int | None = None


class CaseMessageIn(Schema):
    body: str
    kind: str = "reply"


class CaseMessageOut(Schema):
    id: int
    kind: str
    body: str
    author_id: int | None
    interaction_id: int | None
    created_at: datetime.datetime
