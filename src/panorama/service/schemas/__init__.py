import datetime

from ninja import Field, Schema

from panorama.core.validation import text_field

from ..models import Case, Defect


class CaseIn(Schema):
    customer_id: int
    subject: str = text_field(Case, "subject")
    description: str = ""
    channel: str = "api"  # a case another system opens came by the API
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
    sla_policy_id: int | None
    first_response_due: datetime.datetime | None = Field(
        description="when the first response is due (business hours of its SLA policy)"
    )
    resolution_due: datetime.datetime | None = Field(
        description="when the resolution is due; recomputed when the priority changes"
    )
    first_response_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    created_at: datetime.datetime
    csat_score: int | None = Field(
        description="the customer's satisfaction, 1 (bad) to 5 (good); null: not answered"
    )
    csat_comment: str | None = Field(description="what he added to his answer; null: no answer")

    @staticmethod
    def resolve_csat_score(obj) -> int | None:
        survey = getattr(obj, "survey", None)
        return survey.score if survey is not None else None

    @staticmethod
    def resolve_csat_comment(obj) -> str | None:
        survey = getattr(obj, "survey", None)
        return survey.comment if survey is not None else None


class CasePageOut(Schema):
    items: list[CaseOut]
    next_cursor: str | None


class CaseUpdateIn(Schema):
    """Only what is sent changes; ``null`` empties a queue, product or asset."""

    type: str | None = Field(None, description="question, incident, complaint or request")
    priority: str | None = Field(None, description="low, normal, high or urgent")
    queue_id: int | None = None
    product_id: int | None = None
    asset_id: int | None = Field(None, description="an asset of the case's customer")


class CaseStatusIn(Schema):
    status: str
    note: str = ""


class CaseAssignIn(Schema):
    owner_id: int | None = None


class CaseMessageIn(Schema):
    body: str
    kind: str = "reply"


class CaseAttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int


class CaseFileOut(CaseAttachmentOut):
    message_id: int
    kind: str = Field(description="the message it came with: reply or note")
    author_id: int | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.message.kind

    @staticmethod
    def resolve_author_id(obj) -> int | None:
        return obj.message.author_id


class CaseMessageOut(Schema):
    id: int
    kind: str
    body: str
    author_id: int | None
    interaction_id: int | None
    delivery: str = Field(description="a reply: pending, sent, failed, no_address; else blank")
    delivery_error: str
    attachments: list[CaseAttachmentOut] = Field(
        description="files kept with it: GET /cases/{case_id}/files/{id}"
    )
    created_at: datetime.datetime

    @staticmethod
    def resolve_attachments(obj) -> list:
        return [a for a in obj.attachments.all() if a.removed_at is None]


# --- defects and reports ---------------------------------------------------------------------


class DefectIn(Schema):
    product_id: int
    title: str = text_field(Defect, "title")
    description: str = ""
    version: str = text_field(Defect, "version", "")
    component: str = text_field(Defect, "component", "")
    severity: str = "major"
    found_on: datetime.date | None = None
    case_id: int | None = None


class DefectUpdateIn(Schema):
    title: str | None = text_field(Defect, "title", None)
    description: str | None = None
    version: str | None = text_field(Defect, "version", None)
    component: str | None = text_field(Defect, "component", None)
    severity: str | None = None
    found_on: datetime.date | None = None
    fixed_in: str | None = text_field(Defect, "fixed_in", None)


class DefectStatusIn(Schema):
    status: str
    fixed_in: str = text_field(Defect, "fixed_in", "")


class DefectCaseIn(Schema):
    case_id: int


class DefectOut(Schema):
    id: int
    reference: str | None
    product_id: int
    title: str
    description: str
    version: str
    component: str
    severity: str
    status: str
    found_on: datetime.date
    fixed_in: str
    created_at: datetime.datetime


class DefectDetailOut(DefectOut):
    asset_ids: list[int] = Field(description="the affected assets you see")
    hidden_assets: int = Field(description="affected assets of customers you do not see")


class DefectAssetIn(Schema):
    asset_id: int


class DefectPageOut(Schema):
    items: list[DefectOut]
    next_cursor: str | None


class DefectReportRowOut(Schema):
    product_id: int
    product: str
    per_month: list[int]
    total: int
    open: int
    critical: int
    cases: int


class DefectReportOut(Schema):
    months: list[datetime.date]
    products: list[DefectReportRowOut]
    per_month: list[int]


class QueueFiguresOut(Schema):
    queue_id: int | None
    name: str
    opened: int
    resolved: int
    backlog: dict[str, int]
    backlog_total: int
    overdue: int
    resolution_sla_pct: float | None
    response_sla_pct: float | None
    first_contact_pct: float | None
    mttr_hours: float | None
    csat_average: float | None
    csat_answers: int
    csat_satisfied_pct: float | None


class TechnicianFiguresOut(Schema):
    technician_id: int
    name: str
    orders_done: int
    minutes_spent: int
    minutes_planned: int
    minutes_available: int
    utilisation_pct: float | None


class ServiceReportOut(Schema):
    date_from: datetime.date
    date_to: datetime.date
    queues: list[QueueFiguresOut]
    totals: QueueFiguresOut
    technicians: list[TechnicianFiguresOut]
