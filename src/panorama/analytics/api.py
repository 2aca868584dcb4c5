"""Analytics API: the order history import, model runs and the customers' scores."""

import datetime

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from . import selectors
from .reports.api import router as reports_router
from .schemas import ClusterOut, CustomerScoreOut, ModelRunOut, PurchaseImportOut, SegmentCountOut
from .services.purchase_jobs import purchase_import_queue
from .services.purchases import purchase_import_rejected_csv
from .services.runs import (
    basket_run,
    churn_run,
    cluster_run,
    clv_run,
    forecast_run,
    rfm_run,
)

router = Router(tags=["analytics"])


@router.post(
    "/analytics/imports/orders",
    response={202: PurchaseImportOut},
    summary="Queue an order history CSV (customer_id,date,amount[,order_id,product,quantity])",
    description="The file's size and header are checked at once (422 naming the missing "
    "columns); the import itself runs in the task worker, as the UI's. Follow it at "
    "`status_url`: `status` queued, running, then done (with the counts and the rejected "
    "rows) or failed (with `error`).",
)
def orders_import(request, file: File[UploadedFile]):
    job = purchase_import_queue(upload=file, by=request.user, file_name=file.name or "")
    return Status(202, job)


@router.get(
    "/analytics/imports/orders/{job_id}",
    response=PurchaseImportOut,
    url_name="orders_import_read",
    summary="An order history import: its status, progress, then its counts and rejected rows",
)
def orders_import_read(request, job_id: int):
    return selectors.purchase_import_get(user=request.user, job_id=job_id)


@router.get(
    "/analytics/imports/orders/{job_id}/rejected.csv",
    summary="The rejected rows as a CSV to fix and import again",
)
def orders_import_rejected(request, job_id: int):
    job = selectors.purchase_import_get(user=request.user, job_id=job_id)
    response = HttpResponse(purchase_import_rejected_csv(job=job), content_type="text/csv")
    response["Content-Disposition"] = (
        content_disposition_header(True, f"rejected-orders-{job.pk}.csv") or "attachment"
    )
    return response


class ClvIn(Schema):
    calibration_end: datetime.date
    period: str = Field("week", pattern="^(day|week|month|year)$")
    observation_end: datetime.date | None = None
    discount_rate: float = Field(0.10, ge=0, le=1)


@router.post(
    "/analytics/models/clv",
    summary="Fit BG/NBD, Pareto/NBD, Gamma-Gamma and BG/BB; write p(alive) and CLV back",
)
def clv_fit(request, data: ClvIn) -> dict:
    return clv_run(by=request.user, **data.dict())


class RfmIn(Schema):
    as_of: datetime.date | None = None


@router.post("/analytics/models/rfm", summary="Score RFM and write the segments back")
def rfm_fit(request, data: RfmIn) -> dict:
    return rfm_run(by=request.user, as_of=data.as_of)


class ChurnIn(Schema):
    as_of: datetime.date | None = None
    horizon_days: int = Field(90, ge=1, le=3650)


@router.post(
    "/analytics/models/churn",
    summary="Train the churn model (cross-validated, calibrated); write risks and reasons back",
)
def churn_fit(request, data: ChurnIn) -> dict:
    return churn_run(by=request.user, as_of=data.as_of, horizon_days=data.horizon_days)


class BasketIn(Schema):
    min_support: float = Field(0.01, gt=0, le=1)
    min_confidence: float = Field(0.2, ge=0, le=1)


@router.post(
    "/analytics/models/basket",
    summary="Association rules over order lines; write each customer's next best offer back",
)
def basket_fit(request, data: BasketIn) -> dict:
    return basket_run(
        by=request.user, min_support=data.min_support, min_confidence=data.min_confidence
    )


class ForecastIn(Schema):
    months: int = Field(12, ge=1, le=60)


@router.post(
    "/analytics/models/forecast",
    summary="Monthly orders and revenue forecast (SARIMAX) with 95 % intervals",
)
def forecast_fit(request, data: ForecastIn) -> dict:
    return forecast_run(by=request.user, months=data.months)


class ClusterIn(Schema):
    as_of: datetime.date | None = None
    k: int | None = Field(None, ge=2, le=8)


@router.post(
    "/analytics/models/cluster",
    summary="k-means clusters on RFM, CLV and tenure (k by silhouette); write each customer's back",
)
def cluster_fit(request, data: ClusterIn) -> dict:
    return cluster_run(by=request.user, as_of=data.as_of, k=data.k)


@router.get(
    "/analytics/clusters",
    response=list[ClusterOut],
    summary="The latest clusters: size, means, distinguishing traits, how many you see",
)
def clusters_read(request):
    overview = selectors.clusters_overview(user=request.user)
    return overview["profiles"] if overview else []


@router.get(
    "/analytics/models/{kind}/latest",
    response=ModelRunOut,
    summary="The latest run of a model: its card (data, date, parameters, metrics)",
)
def model_latest(request, kind: str):
    return selectors.model_run_latest(user=request.user, kind=kind)


@router.get(
    "/analytics/customers/{customer_id}/scores",
    response=CustomerScoreOut,
    summary="A customer's scores (RFM, p(alive), CLV) and imported order history",
)
def customer_scores(request, customer_id: int):
    return selectors.customer_score_get(user=request.user, customer_id=customer_id)


@router.get(
    "/analytics/rfm/segments",
    response=list[SegmentCountOut],
    summary="Customers per RFM segment, among those you see",
)
def rfm_segments(request):
    return selectors.segment_counts(user=request.user)


# The report builder's routes live with it (analytics/reports/api.py).
router.add_router("", reports_router)
