"""Monthly orders and revenue forecast with prediction intervals (statsmodels SARIMAX).

The series are the transactions (one per customer and day, imported purchases and
confirmed CRM orders) and their amounts, per calendar month; months without any are 0.
The last month is left out when it is not over (the data stop before its end). Model:
SARIMAX(1,1,1)×(0,1,1)₁₂ when there are at least 36 months (a seasonal year-on-year
difference needs history), otherwise ARIMA(1,1,0) without season; 95 % intervals.
"""

import calendar
import datetime
import warnings

import numpy as np
from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed

from .data import History, _daily

MIN_MONTHS = 6
SEASONAL_MONTHS = 36


def _month(ordinal: int) -> int:
    d = datetime.date.fromordinal(int(ordinal))
    return d.year * 12 + d.month - 1


def _label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def monthly_series(history: History) -> tuple[list[str], np.ndarray, np.ndarray]:
    _customer, day, amount = _daily(history)
    if not len(day):
        return [], np.zeros(0), np.zeros(0)
    months = np.fromiter((_month(d) for d in day), np.int64, len(day))
    first, last = int(months.min()), int(months.max())
    last_day = datetime.date.fromordinal(int(day.max()))
    if last_day.day < calendar.monthrange(last_day.year, last_day.month)[1] and last > first:
        last -= 1  # an unfinished month would read as a collapse
    keep = months <= last
    span = last - first + 1
    orders = np.bincount(months[keep] - first, minlength=span).astype(float)
    revenue = np.bincount(months[keep] - first, weights=amount[keep], minlength=span)
    return [_label(first + i) for i in range(span)], orders, revenue


def _fit(series: np.ndarray, months: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    if len(series) >= SEASONAL_MONTHS:
        order, seasonal, name = (1, 1, 1), (0, 1, 1, 12), "SARIMAX(1,1,1)x(0,1,1,12)"
    else:
        order, seasonal, name = (1, 1, 0), (0, 0, 0, 0), "ARIMA(1,1,0)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on short series
        fitted = SARIMAX(series, order=order, seasonal_order=seasonal).fit(disp=False)
        prediction = fitted.get_forecast(months)
        mean = prediction.predicted_mean
        interval = prediction.conf_int(alpha=0.05)
    low = np.maximum(interval[:, 0], 0)
    return np.maximum(mean, 0), low, np.maximum(interval[:, 1], 0), name


def forecast_compute(history: History, *, months: int = 12) -> dict:
    if not 1 <= months <= 60:
        raise ValidationFailed(_("Forecast between 1 and 60 months."), field="months")
    labels, orders, revenue = monthly_series(history)
    if len(labels) < MIN_MONTHS:
        raise ValidationFailed(
            _("At least %(n)s months of purchases are needed to forecast.") % {"n": MIN_MONTHS},
            field="months",
        )
    last = int(labels[-1][:4]) * 12 + int(labels[-1][5:]) - 1
    future = [_label(last + 1 + i) for i in range(months)]
    out: dict = {
        "history": [
            {"month": m, "orders": int(o), "revenue": round(float(r), 2)}
            for m, o, r in zip(labels, orders, revenue, strict=True)
        ],
        "forecast": [{"month": m} for m in future],
        "interval": 0.95,
    }
    for name, series in (("orders", orders), ("revenue", revenue)):
        mean, low, high, model = _fit(series, months)
        out[f"{name}_model"] = model
        for row, m, lo, hi in zip(out["forecast"], mean, low, high, strict=True):
            row[name] = round(float(m), 2)
            row[f"{name}_low"] = round(float(lo), 2)
            row[f"{name}_high"] = round(float(hi), 2)
    return out
