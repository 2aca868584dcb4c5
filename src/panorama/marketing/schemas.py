import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from panorama.core.validation import text_field

from .models import Campaign, MessageTemplate, Segment


class SegmentIn(Schema):
    name: str = text_field(Segment, "name")
    description: str = ""
    rules: dict[str, Any]


class RulesIn(Schema):
    rules: dict[str, Any]


class CountOut(Schema):
    count: int


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    rules: dict[str, Any]
    owner_id: int | None
    priority: int  # 0 to 100, higher first on the ficha
    team_id: int | None  # None: the whole staff sees it
    offer_ids: list[int]
    updated_at: datetime.datetime

    @staticmethod
    def resolve_offer_ids(obj) -> list[int]:
        return [p.pk for p in obj.offers.all()]


class SegmentRefOut(Schema):
    id: int
    name: str


class ListMembershipOut(Schema):
    list_id: int = Field(..., alias="static_list_id")
    list_name: str = Field(..., alias="static_list.name")
    joined_at: datetime.datetime
    left_at: datetime.datetime | None


class SegmentPanelRefOut(Schema):
    id: int
    name: str
    priority: int


class SegmentAlertPanelOut(Schema):
    id: int
    segment_id: int
    text: str
    level: str
    ends_on: datetime.date | None


class OfferOut(Schema):
    product_id: int = Field(..., alias="product.pk")
    sku: str = Field(..., alias="product.sku")
    name: str = Field(..., alias="product.name")
    segment_id: int = Field(..., alias="segment.pk")


class SegmentsPanelOut(Schema):
    segments: list[SegmentPanelRefOut]  # highest priority first
    alerts: list[SegmentAlertPanelOut]  # the live alerts of those segments, in that order
    offers: list[OfferOut]  # products they make him eligible for, not held yet
    lists: list[ListMembershipOut]


class SegmentAlertIn(Schema):
    text: str
    level: Literal["info", "warning"] = "info"
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    active: bool = True


class SegmentAlertOut(SegmentAlertIn):
    id: int
    segment_id: int
    created_at: datetime.datetime


class SegmentTargetingIn(Schema):
    priority: int = 0
    team_id: int | None = None
    offer_ids: list[int] = []


class SnapshotIn(Schema):
    name: str = ""
    list_id: int | None = None


class ListIn(Schema):
    name: str = Field(..., max_length=120)
    customer_ids: list[int] = []


class ListRenameIn(Schema):
    # No length here: the service refuses an empty or too long name with its message.
    name: str


class ListChangeIn(Schema):
    add: list[int] = []
    remove: list[int] = []


class ListOut(Schema):
    id: int
    name: str
    segment_id: int | None
    size: int = 0


class ListChangeOut(Schema):
    list: ListOut
    joined: int
    left: int


class RowProblemOut(Schema):
    row: int = Field(..., description="the file's row number (the header is row 1)")
    value: str
    reason: Literal["unknown", "ambiguous", "invalid", "duplicate"]
    message: str


class ListImportOut(Schema):
    rows: int = Field(..., description="data rows read (blank rows aside)")
    matched: int = Field(..., description="distinct customers found")
    joined: int = Field(..., description="of them, who joined the list now")
    already: int = Field(..., description="of them, who already were in it")
    problems: list[RowProblemOut] = Field(..., description="every row that joined no one")
    list: ListOut = Field(..., alias="static_list")  # last: it shadows the builtin


class TemplateIn(Schema):
    name: str = text_field(MessageTemplate, "name")
    subject_es: str = text_field(MessageTemplate, "subject_es")
    body_es: str
    subject_en: str = text_field(MessageTemplate, "subject_en", "")
    body_en: str = ""


class TemplateOut(Schema):
    id: int
    name: str
    subject_es: str
    body_es: str
    subject_en: str
    body_en: str


class PreviewIn(Schema):
    customer_id: int


class TestSendIn(Schema):
    customer_id: int
    to: str = Field("", max_length=320)  # empty: the user's own address


class TestSendOut(Schema):
    sent_to: str


class PreviewOut(Schema):
    subject: str
    body: str
    language: str


class CampaignIn(Schema):
    name: str = text_field(Campaign, "name")
    objective: str = ""
    channel: str = "email"
    programme: str = "acquisition"
    segment_id: int | None = None
    list_id: int | None = None
    template_id: int | None = None
    sms_account_id: int | None = None
    script_id: int | None = None
    control_percent: int = 10
    offer_product_code: str = text_field(Campaign, "offer_product_code", "")
    budget: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    scheduled_at: datetime.datetime | None = None
    ab_percent: int = 0
    ab_metric: str = "opens"
    ab_wait_hours: int = 24


class CampaignOut(Schema):
    id: int
    name: str
    objective: str
    status: str
    channel: str
    programme: str
    segment_id: int | None
    list_id: int | None = Field(None, alias="static_list_id")
    template_id: int | None
    sms_account_id: int | None
    script_id: int | None
    control_percent: int
    offer_product_code: str
    budget: Decimal
    cost: Decimal
    scheduled_at: datetime.datetime | None
    launched_at: datetime.datetime | None
    owner_id: int | None
    ab_percent: int
    ab_metric: str
    ab_wait_hours: int
    ab_decide_at: datetime.datetime | None
    ab_winner_id: int | None


class LaunchOut(Schema):
    campaign: CampaignOut
    target: int
    control: int


class VariantIn(Schema):
    label: str = Field(..., max_length=200)
    template_id: int
    subject: str = Field("", max_length=1000)


class VariantOut(Schema):
    id: int
    label: str
    template_id: int
    subject: str


class VariantResultOut(Schema):
    id: int
    label: str
    template: str
    subject: str
    sent: int
    opened: int
    clicked: int
    open_rate: float
    click_rate: float
    sent_total: int
    winner: bool


class ResultsOut(Schema):
    targeted: int
    sent: int
    skipped: int
    failed: int
    pending: int
    delivered: int
    bounced: int
    soft_bounced: int
    opened: int
    clicked: int
    unsubscribed: int
    responded: int
    converted: int
    revenue: Decimal
    cost: Decimal
    roi: float | None
    target_members: int
    target_rate: float
    control_members: int
    control_converted: int
    control_rate: float
    uplift: float | None
    uplift_low: float | None
    uplift_high: float | None
    complained: int
    exported: int
    called: int
    variants: list[VariantResultOut] = []


class ResponseIn(Schema):
    customer_id: int
    note: str = ""
    becomes: Literal["lead", "opportunity"] = "lead"


class ConversionIn(Schema):
    customer_id: int
    revenue: Decimal = Decimal(0)


class RecipientOut(Schema):
    id: int
    customer_id: int
    group: str
    status: str
    reason: str
    error: str
    sent_at: datetime.datetime | None
    opened_at: datetime.datetime | None
    clicked_at: datetime.datetime | None
    unsubscribed_at: datetime.datetime | None
    responded_at: datetime.datetime | None
    lead_id: int | None
    opportunity_id: int | None
    converted_at: datetime.datetime | None
    revenue: Decimal
    phone: str
    exported_at: datetime.datetime | None
    complained_at: datetime.datetime | None
    agent_id: int | None
    calls: int
    call_outcome: str
    called_at: datetime.datetime | None
    callback_at: datetime.datetime | None


class ProgrammeIn(Schema):
    programme: str = Field("retention", max_length=20)
    name: str = Field(..., max_length=1000)
    churn_above: Decimal | None = None
    inactive_days: int | None = None
    offer_product_code: str = Field("", max_length=50)


class CallOutcomeIn(Schema):
    outcome: str = Field(..., max_length=20)
    note: str = Field("", max_length=4000)
    callback_at: datetime.datetime | None = None


class CallProgressOut(Schema):
    total: int
    to_call: int
    in_hand: int
    call_back: int
    called: int
    skipped: int
    reached: int
    interested: int
    not_interested: int
    no_answer: int
    percent: int


class CallListOut(Schema):
    campaign: CampaignOut
    progress: CallProgressOut


class SignupFormIn(Schema):
    name: str
    static_list: int
    consent_text_es: str
    consent_text_en: str = ""
    active: bool = True


class SignupFormOut(Schema):
    id: int
    name: str
    static_list_id: int
    token: str
    consent_text_es: str
    consent_text_en: str
    active: bool


class JourneyIn(Schema):
    name: str
    trigger: str
    trigger_list: int | None = None
    trigger_form: int | None = None
    trigger_event: str = ""
    trigger_days: int | None = None
    allow_reentry: bool = False


class JourneyOut(Schema):
    id: int
    name: str
    status: str
    trigger: str
    trigger_list_id: int | None
    trigger_form_id: int | None
    trigger_event: str
    trigger_days: int | None
    allow_reentry: bool


class StepIn(Schema):
    kind: str
    config: dict[str, Any] = {}
    position: int | None = None
    parent: int | None = Field(None, description="The branch step whose path it goes on.")
    path: str = Field("", description='"yes" or "no" with a parent; empty on the main road.')


class StepOut(Schema):
    id: int
    position: int
    kind: str
    config: dict[str, Any]
    parent_id: int | None = None
    path: str = ""
    level: int = 0
    waiting: int = 0


class JourneyReportOut(Schema):
    journey: JourneyOut
    steps: list[StepOut]
    active: int
    done: int
    exited: int


class EnrolmentOut(Schema):
    id: int
    customer_id: int
    customer_name: str = Field(alias="customer.display_name")
    status: str
    step_id: int | None
    step_label: str
    due_at: datetime.datetime | None
    entered_at: datetime.datetime
    finished_at: datetime.datetime | None
    exit_reason: str


class EnrolmentPageOut(Schema):
    items: list[EnrolmentOut]
    next_cursor: str | None


class StatusIn(Schema):
    status: str
