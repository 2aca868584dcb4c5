"""Churn propensity: who will not buy again within the horizon (scikit-learn).

A purchase history has no "churned" flag, so the label is made from time: the features
are computed as of ``as_of − horizon`` and a customer is *churned* when he bought nothing
in the following ``horizon`` days. The model then scores every customer as of
``as_of``: the probability he buys nothing in the next ``horizon`` days.

Model: log1p of the features, standardised, logistic regression; probabilities
calibrated (Platt scaling, ``CalibratedClassifierCV``); AUC and Brier score by stratified
cross-validation. A customer's top reasons are the features with the largest positive
contributions to his log-odds (coefficient × standardised value): for a linear model that
is an exact decomposition.
"""

import datetime
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from panorama.core.exceptions import ValidationFailed

from .data import History, _daily

FEATURES = {
    "recency_days": gettext_lazy("days since the last purchase"),
    "frequency": gettext_lazy("purchase days"),
    "monetary": gettext_lazy("total spend"),
    "average_order": gettext_lazy("average order value"),
    "tenure_days": gettext_lazy("days since the first purchase"),
    "mean_gap_days": gettext_lazy("mean days between purchases"),
    "recent_90_days": gettext_lazy("purchase days in the last 90 days"),
    "overdue_ratio": gettext_lazy("days since the last purchase ÷ usual gap"),
}


@dataclass
class Features:
    customer: np.ndarray
    matrix: np.ndarray  # customers × FEATURES


def features_at(history: History, as_of: datetime.date) -> Features:
    customer, day, amount = _daily(history)
    end = as_of.toordinal()
    keep = day <= end
    customer, day, amount = customer[keep], day[keep], amount[keep]
    if not len(customer):
        return Features(np.zeros(0, np.int64), np.zeros((0, len(FEATURES))))
    starts = np.flatnonzero(np.r_[True, customer[1:] != customer[:-1]])
    counts = np.diff(np.r_[starts, len(customer)])
    first, last = day[starts], day[starts + counts - 1]
    spend = np.add.reduceat(amount, starts)
    tenure = (end - first).astype(float)
    recency = (end - last).astype(float)
    gap = np.where(counts > 1, (last - first) / np.maximum(counts - 1, 1), tenure + 1)
    owner = np.repeat(np.arange(len(starts)), counts)
    recent = np.bincount(owner[day > end - 90], minlength=len(starts)).astype(float)
    matrix = np.column_stack(
        [
            recency,
            counts.astype(float),
            np.maximum(spend, 0),
            np.maximum(spend, 0) / counts,
            tenure,
            gap,
            recent,
            np.minimum(recency / np.maximum(gap, 1), 50.0),
        ]
    )
    return Features(customer[starts], matrix)


def _model():
    return make_pipeline(
        FunctionTransformer(np.log1p), StandardScaler(), LogisticRegression(max_iter=1000)
    )


@dataclass
class ChurnResult:
    card: dict
    customer: np.ndarray
    risk: np.ndarray
    reasons: list[list[dict]]


def churn_fit(history: History, *, as_of: datetime.date, horizon_days: int = 90) -> ChurnResult:
    # Dozens of small fits: BLAS threads only fight each other (and the web workers)
    # on a small machine, ten times slower than one thread each.
    with threadpool_limits(1):
        return _churn_fit(history, as_of=as_of, horizon_days=horizon_days)


def _churn_fit(history: History, *, as_of: datetime.date, horizon_days: int) -> ChurnResult:
    if horizon_days < 1:
        raise ValidationFailed(_("The horizon is at least one day."), field="horizon")
    try:
        cutoff = as_of - datetime.timedelta(days=horizon_days)
    except OverflowError:
        raise ValidationFailed(
            _("The horizon reaches before the first date."), field="as_of"
        ) from None
    train = features_at(history, cutoff)
    customer, day, _amount = _daily(history)
    window = (day > cutoff.toordinal()) & (day <= as_of.toordinal())
    came_back = np.isin(train.customer, customer[window])
    label = (~came_back).astype(int)  # 1 = churned
    minority = int(min(label.sum(), len(label) - label.sum()))
    if minority < 5:
        raise ValidationFailed(
            _(
                "Too few customers who churned or came back between %(a)s and %(b)s to "
                "train the model (at least 5 of each)."
            )
            % {"a": cutoff.isoformat(), "b": as_of.isoformat()},
            field="as_of",
        )
    folds = StratifiedKFold(n_splits=min(5, minority), shuffle=True, random_state=0)
    calibrated = CalibratedClassifierCV(_model(), method="sigmoid", cv=min(5, minority))
    out_of_fold = cross_val_predict(
        calibrated, train.matrix, label, cv=folds, method="predict_proba"
    )[:, 1]
    edges = np.linspace(0, 1, 6)
    reliability = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (out_of_fold >= low) & ((out_of_fold < high) | (high == 1))
        if inside.any():
            reliability.append(
                {
                    "predicted": round(float(out_of_fold[inside].mean()), 3),
                    "observed": round(float(label[inside].mean()), 3),
                    "customers": int(inside.sum()),
                }
            )
    calibrated.fit(train.matrix, label)
    explainer = _model().fit(train.matrix, label)
    scorer = features_at(history, as_of)
    risk = calibrated.predict_proba(scorer.matrix)[:, 1] if len(scorer.customer) else np.zeros(0)
    transform, scaler, logistic = explainer.steps[0][1], explainer.steps[1][1], explainer[-1]
    standard = (
        scaler.transform(transform.transform(scorer.matrix))
        if len(scorer.customer)
        else scorer.matrix
    )
    contributions = standard * logistic.coef_[0]
    names = list(FEATURES)
    reasons = []
    for row in contributions:
        top = np.argsort(-row)[:3]
        reasons.append(
            [
                {
                    "feature": names[j],
                    "label": str(FEATURES[names[j]]),
                    "contribution": round(float(row[j]), 3),
                }
                for j in top
                if row[j] > 0
            ]
        )
    card = {
        "model": "logistic regression on log1p, standardised features; Platt-calibrated",
        "trained_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "as_of": as_of.isoformat(),
        "cutoff": cutoff.isoformat(),
        "horizon_days": horizon_days,
        "training_customers": len(label),
        "churn_rate": round(float(label.mean()), 4),
        "features": {k: str(v) for k, v in FEATURES.items()},
        "coefficients": {
            name: round(float(c), 4) for name, c in zip(names, logistic.coef_[0], strict=True)
        },
        "cv_folds": folds.get_n_splits(),
        "cv_auc": round(float(roc_auc_score(label, out_of_fold)), 4),
        "cv_brier": round(float(brier_score_loss(label, out_of_fold)), 4),
        "calibration": reliability,
        "scored_customers": len(scorer.customer),
        "mean_risk": round(float(risk.mean()), 4) if len(risk) else None,
    }
    return ChurnResult(card, scorer.customer, risk, reasons)
