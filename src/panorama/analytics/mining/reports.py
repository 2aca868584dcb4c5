"""The CLV and RFM runs: fit, validate on the holdout, and the JSON the CLI prints."""

import datetime
import time
from collections import Counter

import numpy as np
from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed

from . import clv
from .data import PERIOD_DAYS, History, history_load, summarise, summarise_discrete
from .rfm import SEGMENTS, Rfm, rfm_compute

PERIODS = ("day", "week", "month", "year")


def _validation(name: str, predicted: np.ndarray, actual: np.ndarray) -> dict:
    return {
        "model": name,
        "predicted": round(float(predicted.sum()), 1),
        "actual": round(float(actual.sum()), 1),
        "mae": round(float(np.mean(np.abs(predicted - actual))), 4) if len(actual) else None,
        "correlation": (
            round(float(np.corrcoef(predicted, actual)[0, 1]), 4)
            if len(actual) > 1 and np.std(actual) > 0
            else None
        ),
    }


def clv_report(
    *,
    calibration_end: datetime.date,
    period: str = "week",
    observation_end: datetime.date | None = None,
    discount_rate: float = 0.10,
    months: int = 12,
    history: History | None = None,
) -> tuple[dict, dict]:
    """(report, scores): every model fitted on the calibration, validated on the holdout
    (the purchases after the calibration end up to ``observation_end``, by default the
    last purchase), and each customer's scores as of the last purchase."""
    if period not in PERIODS:
        raise ValidationFailed(
            _("The period is one of %(p)s.") % {"p": ", ".join(PERIODS)}, field="period"
        )
    if history is None:
        history = history_load()
    if not len(history):
        raise ValidationFailed(_("There are no purchases to fit."), field="calibration_end")
    last_day = datetime.date.fromordinal(int(history.day.max()))
    observation_end = observation_end or max(last_day, calibration_end)
    if observation_end < calibration_end:
        raise ValidationFailed(
            _("The observation end is before the calibration end."), field="observation_end"
        )
    s = summarise(
        history, calibration_end=calibration_end, observation_end=observation_end, period=period
    )
    if len(s) < 3 or (s.frequency > 0).sum() < 2:
        raise ValidationFailed(
            _("Too few customers with repeat purchases before %(d)s to fit the models.")
            % {"d": calibration_end.isoformat()},
            field="calibration_end",
        )
    started = time.perf_counter()
    bgnbd = clv.bgnbd_fit(s.frequency, s.recency, s.T)
    gg = clv.gammagamma_fit(s.frequency, s.monetary)
    fit_seconds = time.perf_counter() - started
    pareto = clv.paretonbd_fit(s.frequency, s.recency, s.T)
    # Daily opportunities would make hundreds of likelihood terms per customer for a
    # model meant for coarse ones: BG/BB counts weeks when the period is a day.
    opportunity = "week" if period == "day" else period
    _c, bx, bt, bn = summarise_discrete(
        history, calibration_end=calibration_end, period=opportunity
    )
    bgbb = clv.bgbb_fit(bx, bt, bn) if len(bn) and bn.max() > 0 else None

    horizon = (observation_end - calibration_end).days / PERIOD_DAYS[period]
    report: dict = {
        "calibration_end": calibration_end.isoformat(),
        "observation_end": observation_end.isoformat(),
        "period": period,
        "customers": len(s),
        "repeat_buyers": int((s.frequency > 0).sum()),
        "bgnbd": bgnbd.as_dict(),
        "paretonbd": pareto.as_dict(),
        "gammagamma": gg.as_dict(),
        "bgbb": {**bgbb.as_dict(), "opportunity": opportunity} if bgbb else None,
        "fit_seconds": round(fit_seconds, 3),
    }
    if horizon > 0:
        report["holdout"] = {
            "length": round(horizon, 2),
            "bgnbd": _validation(
                "bgnbd",
                clv.bgnbd_expected(bgnbd.params, horizon, s.frequency, s.recency, s.T),
                s.holdout,
            ),
            "paretonbd": _validation(
                "paretonbd",
                clv.paretonbd_expected(pareto.params, horizon, s.frequency, s.recency, s.T),
                s.holdout,
            ),
        }
    # Scores as of the last purchase, with the calibration's parameters.
    now = summarise(history, calibration_end=observation_end, period=period)
    per_month = PERIOD_DAYS["month"] / PERIOD_DAYS[period]
    p_alive = clv.bgnbd_p_alive(bgnbd.params, now.frequency, now.recency, now.T)
    expected = clv.bgnbd_expected(bgnbd.params, 12 * per_month, now.frequency, now.recency, now.T)
    value = clv.clv_bgnbd_gg(
        bgnbd.params,
        gg.params,
        now.frequency,
        now.recency,
        now.T,
        now.monetary,
        months=months,
        annual_discount=discount_rate,
        periods_per_month=per_month,
    )
    report["clv"] = {
        "months": months,
        "discount_rate": discount_rate,
        "as_of": observation_end.isoformat(),
        "total": round(float(np.nansum(value)), 2),
        "mean": round(float(np.nanmean(value)), 2) if len(value) else 0,
        "mean_p_alive": round(float(np.mean(p_alive)), 4) if len(p_alive) else 0,
    }
    scores = {
        "customer": now.customer,
        "p_alive": p_alive,
        "expected": expected,
        "clv": value,
    }
    return report, scores


def rfm_report(
    *, as_of: datetime.date | None = None, history: History | None = None
) -> tuple[dict, Rfm]:
    result = rfm_compute(history if history is not None else history_load(), as_of=as_of)
    sizes = Counter(result.segment)
    segments = []
    for key, label in SEGMENTS.items():
        members = [i for i, s in enumerate(result.segment) if s == key]
        if not members:
            segments.append({"segment": key, "label": str(label), "customers": 0})
            continue
        segments.append(
            {
                "segment": key,
                "label": str(label),
                "customers": sizes[key],
                "mean_recency_days": round(float(np.mean(result.recency_days[members])), 1),
                "mean_frequency": round(float(np.mean(result.frequency[members])), 2),
                "mean_monetary": round(float(np.mean(result.monetary[members])), 2),
            }
        )
    report = {
        "as_of": as_of.isoformat() if as_of else None,
        "customers": len(result.customer),
        "segments": segments,
    }
    return report, result
