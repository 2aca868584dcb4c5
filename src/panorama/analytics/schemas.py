"""API schemas of analytics."""

import datetime
from decimal import Decimal

from django.urls import reverse
from ninja import Field, Schema

from .services.purchase_jobs import purchase_import_progress


class RejectedRowOut(Schema):
    row: int = Field(..., description="Row number in the file (the header is row 1)")
    cells: list[str]
    problems: list[dict[str, str]] = Field(..., description="Every reason: field and message")


class PurchaseImportOut(Schema):
    id: int
    file_name: str
    status: str = Field(
        ..., description="queued or running (in the task worker), then done or failed"
    )
    status_url: str = Field(..., description="Where to follow it (GET)")
    progress: int = Field(..., description="Percent of the rows read, 0–100")
    total_rows: int = Field(
        ..., description="Lines of a queued file (0 for an import the command ran at once)"
    )
    processed_rows: int = Field(..., description="Rows read so far")
    error: str = Field(..., description="Why a failed import stopped")
    rows: int
    orders_created: int
    orders_unchanged: int = Field(..., description="Orders already imported (a re-run)")
    customers_created: int
    rejected: int
    seconds: float
    created_at: datetime.datetime
    errors: list[RejectedRowOut] = Field(
        ..., description="The rejected rows (first 200), once done"
    )

    @staticmethod
    def resolve_status_url(obj) -> str:
        return reverse("api:orders_import_read", kwargs={"job_id": obj.pk})

    @staticmethod
    def resolve_progress(obj) -> int:
        return purchase_import_progress(obj)

    @staticmethod
    def resolve_errors(obj) -> list:
        return obj.errors[:200] if obj.status == obj.Status.DONE else []


class ScoreOut(Schema):
    rfm_segment: str
    segment_label: str
    rfm_r: int | None
    rfm_f: int | None
    rfm_m: int | None
    recency_days: int | None
    frequency: int | None
    monetary: Decimal | None
    p_alive: float | None = Field(..., description="BG/NBD probability the customer is alive")
    expected_purchases: float | None = Field(..., description="Expected purchases, next year")
    clv: Decimal | None = Field(..., description="Discounted value of the next 12 months")
    churn_risk: float | None = Field(..., description="Calibrated probability of no purchase")
    churn_reasons: list[dict] = Field(..., description="Top features raising the churn risk")
    next_best_offer: str
    offer_basis: dict = Field(..., description="The rule behind the offer")
    cluster: int | None = Field(..., description="The k-means cluster's number")
    rfm_at: datetime.datetime | None
    clv_at: datetime.datetime | None
    churn_at: datetime.datetime | None
    offer_at: datetime.datetime | None
    cluster_at: datetime.datetime | None


class HistoryOut(Schema):
    orders: int
    spend: Decimal | None
    last: datetime.date | None


class ScorePanelOut(Schema):
    score: ScoreOut | None
    history: HistoryOut


class CustomerScoreOut(ScorePanelOut):
    customer_id: int


class SegmentCountOut(Schema):
    rfm_segment: str
    customers: int


class ModelRunOut(Schema):
    id: int
    kind: str
    card: dict
    created_at: datetime.datetime


class ClusterTraitOut(Schema):
    feature: str
    direction: str = Field(..., description="high or low, against the average customer")
    z: float = Field(..., description="The centroid, in standard deviations from the mean")


class ClusterOut(Schema):
    cluster: int
    name: str = Field(..., description="Readable name from the two strongest traits")
    size: int
    share: float
    visible: int = Field(..., description="Customers of this cluster you may see")
    means: dict[str, float] = Field(..., description="Feature means, in original units")
    traits: list[ClusterTraitOut]
