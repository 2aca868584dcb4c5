"""Model runs: compute, write the scores back, return the report the CLI and API print.

The models (scipy, scikit-learn, statsmodels) are imported by the run that needs them:
at module level they cost every web process 5-15 s at start, as the URLs import this
module through the API."""

import datetime
import math

from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.catalog.models import Product
from panorama.core.exceptions import ValidationFailed
from panorama.customers.models import Holding

from ..models import CustomerScore, ModelRun
from .scores import (
    scores_write_churn,
    scores_write_clusters,
    scores_write_clv,
    scores_write_offers,
    scores_write_rfm,
)


def _finite(value):
    """The model card as JSON can hold it: a metric that came out NaN or infinite (a
    fit on too little data) is stored as null, not as invalid JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def clv_run(
    *,
    by: User | None,
    calibration_end: datetime.date,
    period: str = "week",
    observation_end: datetime.date | None = None,
    discount_rate: float = 0.10,
    write: bool = True,
) -> dict:
    from ..mining.reports import clv_report

    ensure_can(by, "analytics.run_models")
    report, scores = clv_report(
        calibration_end=calibration_end,
        period=period,
        observation_end=observation_end,
        discount_rate=discount_rate,
    )
    report["scored"] = scores_write_clv(scores=scores, by=by) if write else 0
    ModelRun.objects.create(kind=ModelRun.Kind.CLV, card=_finite(report), by=by)
    return report


def rfm_run(*, by: User | None, as_of: datetime.date | None = None, write: bool = True) -> dict:
    from ..mining.reports import rfm_report

    ensure_can(by, "analytics.run_models")
    report, result = rfm_report(as_of=as_of)
    report["scored"] = scores_write_rfm(result=result, by=by) if write else 0
    ModelRun.objects.create(kind=ModelRun.Kind.RFM, card=_finite(report), by=by)
    return report


def churn_run(
    *,
    by: User | None,
    as_of: datetime.date | None = None,
    horizon_days: int = 90,
    write: bool = True,
) -> dict:
    from ..mining.churn import churn_fit
    from ..mining.data import history_load

    """Train the churn model (labels from the last ``horizon_days``), score everyone,
    keep the model card."""
    ensure_can(by, "analytics.run_models")
    history = history_load()
    if as_of is None:
        if not len(history):
            raise ValidationFailed(_("There are no purchases to fit."), field="as_of")
        as_of = datetime.date.fromordinal(int(history.day.max()))
    result = churn_fit(history, as_of=as_of, horizon_days=horizon_days)
    card = dict(result.card)
    card["scored"] = (
        scores_write_churn(
            customers=result.customer, risk=result.risk, reasons=result.reasons, by=by
        )
        if write
        else 0
    )
    order = sorted(range(len(result.customer)), key=lambda i: -result.risk[i])[:10]
    card["highest_risk"] = [
        {
            "customer_id": int(result.customer[i]),
            "risk": round(float(result.risk[i]), 4),
            "reasons": result.reasons[i],
        }
        for i in order
    ]
    ModelRun.objects.create(kind=ModelRun.Kind.CHURN, card=_finite(card), by=by)
    return card


def basket_run(
    *, by: User | None, min_support: float = 0.01, min_confidence: float = 0.2, write: bool = True
) -> dict:
    from ..mining.basket import baskets_load, offers_choose, rules_mine

    """Association rules over the order lines, and each customer's next best offer."""
    ensure_can(by, "analytics.run_models")
    if not 0 < min_support <= 1:
        raise ValidationFailed(
            _("The minimum support is above 0 and at most 1."), field="min_support"
        )
    if not 0 <= min_confidence <= 1:
        raise ValidationFailed(
            _("The minimum confidence is between 0 and 1."), field="min_confidence"
        )
    baskets = baskets_load()
    rules = rules_mine(baskets, min_support=min_support, min_confidence=min_confidence)
    held: dict[int, set[str]] = {}
    for customer_id, code, name in Holding.objects.filter(
        customer_id__in=set(baskets.customer)
    ).values_list("customer_id", "product_code", "product_name"):
        held.setdefault(customer_id, set()).update({code, name})
    ineligible = set(Product.objects.filter(active=False).values_list("name", flat=True)) | set(
        Product.objects.filter(active=False).values_list("sku", flat=True)
    )
    from panorama.marketing.selectors import offer_restrictions

    # A product a marketing segment offers is for that segment's customers only.
    restricted = offer_restrictions(customer_ids=sorted(set(baskets.customer)))
    offers = offers_choose(baskets, rules, held=held, ineligible=ineligible, restricted=restricted)
    report = {
        "baskets": len(baskets.items),
        "min_support": min_support,
        "min_confidence": min_confidence,
        "rules": [rule.as_dict() for rule in rules[:200]],
        "rule_count": len(rules),
        "offers": len(offers),
    }
    report["scored"] = scores_write_offers(offers=offers, by=by) if write else 0
    ModelRun.objects.create(
        kind=ModelRun.Kind.BASKET,
        card=_finite({k: v for k, v in report.items() if k != "rules"}),
        by=by,
    )
    return report


def forecast_run(*, by: User | None, months: int = 12) -> dict:
    from ..mining.data import history_load
    from ..mining.forecast import forecast_compute

    ensure_can(by, "analytics.run_models")
    report = forecast_compute(history_load(), months=months)
    ModelRun.objects.create(
        kind=ModelRun.Kind.FORECAST,
        card=_finite({k: v for k, v in report.items() if k != "history"}),
        by=by,
    )
    return report


def cluster_run(
    *,
    by: User | None,
    as_of: datetime.date | None = None,
    k: int | None = None,
    write: bool = True,
) -> dict:
    """Cluster the customers with a purchase (k-means on RFM, CLV and tenure; ``k`` by
    silhouette unless given), keep the profiles in the model card and each customer's
    cluster number in his scores."""
    from ..mining.cluster import K_RANGE, cluster_name, clusters_fit, features_build
    from ..mining.data import _daily, history_load

    ensure_can(by, "analytics.run_models")
    if k is not None and k not in K_RANGE:
        raise ValidationFailed(
            _("The number of clusters is between %(lo)s and %(hi)s.")
            % {"lo": K_RANGE.start, "hi": K_RANGE.stop - 1},
            field="k",
        )
    customer, day, amount = _daily(history_load())
    if as_of is not None:
        keep = day <= as_of.toordinal()
        customer, day, amount = customer[keep], day[keep], amount[keep]
    reference = as_of.toordinal() if as_of is not None else (int(day.max()) if len(day) else 0)
    clv = {
        c: float(v)
        for c, v in CustomerScore.objects.exclude(clv=None).values_list("customer_id", "clv")
        if v is not None
    }
    features = features_build(customer, day, amount, reference=reference, clv=clv)
    previous = ModelRun.objects.filter(kind=ModelRun.Kind.CLUSTER).order_by("-id").first()
    try:
        result = clusters_fit(
            features, k=k, previous=(previous.card.get("clusters", []) if previous else [])
        )
    except ValueError:
        raise ValidationFailed(
            _("Too few customers with purchases to form clusters (%(n)s).")
            % {"n": len(features.customer)},
            field="k" if k else "as_of",
        ) from None
    card = result.card()
    card["as_of"] = datetime.date.fromordinal(reference).isoformat() if reference else None
    for profile in card["clusters"]:
        profile["name"] = cluster_name(profile["traits"])
    card["scored"] = (
        scores_write_clusters(customers=result.customer, labels=result.label, by=by) if write else 0
    )
    ModelRun.objects.create(kind=ModelRun.Kind.CLUSTER, card=_finite(card), by=by)
    return card
