import datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from panorama.core.validation import text_field

from ..models import Competitor, Lead, LostReason, Opportunity, Pipeline, Stage


class OpportunityIn(Schema):
    customer_id: int
    name: str = text_field(Opportunity, "name")
    pipeline_id: int | None = None
    stage_id: int | None = None
    amount: Decimal = Decimal(0)
    currency: str = ""
    expected_close: datetime.date | None = None
    probability: int | None = None
    next_step: str = text_field(Opportunity, "next_step", "")
    next_step_date: datetime.date | None = None
    competitor_ids: list[int] = []


class OpportunityMoveIn(Schema):
    stage_id: int
    lost_reason_id: int | None = None
    lost_note: str = ""


class OpportunityProductIn(Schema):
    product_id: int
    quantity: Decimal = Decimal(1)


class OpportunityProductOut(Schema):
    product_id: int
    product_name: str
    quantity: Decimal

    @staticmethod
    def resolve_product_name(obj) -> str:
        return obj.product.name


class OpportunityOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    pipeline_id: int
    stage_id: int
    stage_name: str
    name: str
    status: str
    amount: Decimal
    currency: str
    amount_base: Decimal
    expected_close: datetime.date | None
    probability: int
    owner_id: int | None
    team_id: int | None
    lost_reason_id: int | None
    next_step: str
    next_step_date: datetime.date | None
    stage_entered_at: datetime.datetime
    closed_at: datetime.datetime | None
    created_at: datetime.datetime
    products: list[OpportunityProductOut]

    @staticmethod
    def resolve_products(obj: Opportunity) -> list:
        return list(obj.lines.all())

    @staticmethod
    def resolve_customer_name(obj: Opportunity) -> str:
        return obj.customer.display_name

    @staticmethod
    def resolve_stage_name(obj: Opportunity) -> str:
        return obj.stage.name

    @staticmethod
    def resolve_probability(obj: Opportunity) -> int:
        return obj.effective_probability


class OpportunityPageOut(Schema):
    items: list[OpportunityOut]
    next_cursor: str | None


class LeadIn(Schema):
    first_name: str = text_field(Lead, "first_name", "")
    last_name: str = text_field(Lead, "last_name", "")
    company: str = text_field(Lead, "company", "")
    job_title: str = text_field(Lead, "job_title", "")
    email: str = text_field(Lead, "email", "")
    phone: str = text_field(Lead, "phone", "")
    notes: str = ""
    data: dict[str, Any] = {}
    owner_id: int | None = None
    team_id: int | None = None


class LeadOut(Schema):
    id: int
    name: str
    first_name: str
    last_name: str
    company: str
    job_title: str
    email: str
    phone: str
    source: str
    status: str
    score: int
    owner_id: int | None
    team_id: int | None
    customer_id: int | None
    opportunity_id: int | None
    created_at: datetime.datetime
    # Appended for the leads screens and API (leads helper).
    disqualify_reason: str
    score_explanation: list[dict[str, Any]]
    assignment_note: str
    data: dict[str, Any]
    notes: str
    converted_at: datetime.datetime | None


class LeadPatchIn(Schema):
    """Only the fields given change; ``data`` keys are merged into the lead's data. An
    unknown field is refused (422), never ignored."""

    model_config = ConfigDict(extra="forbid")

    first_name: str | None = text_field(Lead, "first_name", None)
    last_name: str | None = text_field(Lead, "last_name", None)
    company: str | None = text_field(Lead, "company", None)
    job_title: str | None = text_field(Lead, "job_title", None)
    email: str | None = text_field(Lead, "email", None)
    phone: str | None = text_field(Lead, "phone", None)
    notes: str | None = None
    data: dict[str, Any] | None = None
    country: str | None = None
    region: str | None = None
    postal_code: str | None = None
    owner_id: int | None = None
    team_id: int | None = None


class LeadPageOut(Schema):
    items: list[LeadOut]
    next_cursor: str | None


class LeadDisqualifyIn(Schema):
    reason: str


class LeadActivityIn(Schema):
    kind: str
    detail: str = ""


class LeadActivityOut(Schema):
    id: int
    kind: str
    detail: str
    by_id: int | None
    at: datetime.datetime


class LeadConvertIn(Schema):
    customer_id: int | None = Field(None, description="an existing customer the lead is")
    create_new: bool = Field(False, description="create a new customer despite look-alikes")
    opportunity: bool = Field(False, description="also open an opportunity")
    opportunity_name: str = ""
    pipeline_id: int | None = None
    stage_id: int | None = None
    amount: Decimal = Decimal(0)
    currency: str = ""


class LeadMatchOut(Schema):
    customer_id: int
    name: str
    reasons: list[str]


class LeadConvertOut(Schema):
    lead: LeadOut
    customer_id: int
    reused_customer: bool
    opportunity_id: int | None


class LeadImportProblemOut(Schema):
    field: str = Field(description="the file's column at fault (empty: the whole row)")
    message: str


class LeadImportRowOut(Schema):
    row_number: int
    cells: list[str]
    message: str = Field(description="every problem of the row, one after the other")
    problems: list[LeadImportProblemOut]


class LeadImportOut(Schema):
    id: int
    original_name: str
    status: str
    headers: list[str]
    mapping: dict[str, str]
    assign_by_rules: bool
    total_rows: int
    processed_rows: int = Field(description="rows of the file read so far (blank ones too)")
    created_count: int
    rejected_count: int
    error: str = Field(description="why a failed import stopped")
    undo_deleted_count: int
    undo_kept_count: int
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    undone_at: datetime.datetime | None
    rejected_rows: list[LeadImportRowOut]

    @staticmethod
    def resolve_rejected_rows(obj) -> list:
        return list(obj.rejected_rows.order_by("row_number", "id")[:200])


class LeadImportRunIn(Schema):
    mapping: dict[str, str]
    assign_by_rules: bool = False


# --- opportunities: edit, history; configuration ------------------------------------------


class OpportunityPatch(Schema):
    name: str = text_field(Opportunity, "name", "")
    amount: Decimal | None = None
    currency: str = ""
    expected_close: datetime.date | None = None
    probability: int | None = None
    next_step: str = text_field(Opportunity, "next_step", "")
    next_step_date: datetime.date | None = None
    owner_id: int | None = None
    team_id: int | None = None
    competitor_ids: list[int] = []
    lost_note: str = ""
    products: list[OpportunityProductIn] = []


class StageChangeOut(Schema):
    id: int
    from_stage_id: int | None
    from_stage_name: str | None
    to_stage_id: int
    to_stage_name: str
    by_id: int | None
    by_name: str | None
    at: datetime.datetime
    seconds_in_previous: int | None

    @staticmethod
    def resolve_from_stage_name(obj) -> str | None:
        return obj.from_stage.name if obj.from_stage_id else None

    @staticmethod
    def resolve_to_stage_name(obj) -> str:
        return obj.to_stage.name

    @staticmethod
    def resolve_by_name(obj) -> str | None:
        return (obj.by.get_full_name() or obj.by.username) if obj.by_id else None


class StageOut(Schema):
    id: int
    name: str
    position: int
    kind: str
    probability: int
    forecast_category: str
    required_fields: list[str]


class StageIn(Schema):
    name: str = text_field(Stage, "name")
    kind: str = "open"
    probability: int | None = None
    forecast_category: str | None = None
    required_fields: list[str] = []
    position: int | None = None


class StagePatch(Schema):
    name: str = text_field(Stage, "name", "")
    kind: str = ""
    probability: int = 0
    forecast_category: str = ""
    required_fields: list[str] = []
    position: int = 0


class StageOrderIn(Schema):
    stage_ids: list[int]


class PipelineOut(Schema):
    id: int
    name: str
    currency: str
    is_default: bool
    active: bool
    position: int
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj) -> list:
        return list(obj.stages.all())


class PipelineIn(Schema):
    name: str = text_field(Pipeline, "name")
    currency: str
    is_default: bool = False
    active: bool = True


class PipelinePatch(Schema):
    name: str = text_field(Pipeline, "name", "")
    currency: str = ""
    is_default: bool = False
    active: bool = True
    position: int = 0


class LostReasonOut(Schema):
    id: int
    name: str
    active: bool
    position: int


class LostReasonIn(Schema):
    name: str = text_field(LostReason, "name")
    active: bool = True
    position: int = 0


class LostReasonPatch(Schema):
    name: str = text_field(LostReason, "name", "")
    active: bool = True
    position: int = 0


class CompetitorOut(Schema):
    id: int
    name: str
    website: str


class CompetitorIn(Schema):
    name: str = text_field(Competitor, "name")
    website: str = ""


class CompetitorPatch(Schema):
    name: str = text_field(Competitor, "name", "")
    website: str = ""


class OpportunityPanelOut(Schema):
    id: int
    name: str
    stage_id: int
    stage_name: str
    amount: Decimal
    currency: str
    expected_close: datetime.date | None

    @staticmethod
    def resolve_stage_name(obj) -> str:
        return obj.stage.name


class BoardCardOut(Schema):
    id: int
    name: str
    customer_id: int
    customer_name: str
    amount: Decimal
    currency: str
    amount_base: Decimal
    expected_close: datetime.date | None
    owner_id: int | None


class BoardColumnOut(Schema):
    stage_id: int
    stage_name: str
    kind: str
    count: int
    total: Decimal
    cards: list[BoardCardOut]
    next_cursor: str | None


class BoardOut(Schema):
    pipeline_id: int
    pipeline_name: str
    currency: str
    columns: list[BoardColumnOut]


class WinLossRowOut(Schema):
    won: int
    lost: int
    won_amount: Decimal
    lost_amount: Decimal
    win_rate: float | None


class WinLossReasonOut(Schema):
    reason_id: int | None
    reason: str
    lost: int
    lost_amount: Decimal


class WinLossStageOut(Schema):
    stage_id: int | None
    stage: str
    lost: int
    lost_amount: Decimal


class WinLossRepOut(WinLossRowOut):
    owner_id: int | None
    rep: str


class WinLossPeriodOut(WinLossRowOut):
    period: datetime.date | None


class WinLossProductOut(WinLossRowOut):
    product_id: int
    product: str


class WinLossOut(Schema):
    period: str
    currency: str
    totals: WinLossRowOut
    by_reason: list[WinLossReasonOut]
    by_stage: list[WinLossStageOut]
    by_rep: list[WinLossRepOut]
    by_period: list[WinLossPeriodOut]
    by_product: list[WinLossProductOut]
