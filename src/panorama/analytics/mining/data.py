"""Purchase histories as arrays, and the per-customer summaries the models read.

Conventions (the literature's, and the ``lifetimes`` package's
``summary_data_from_transaction_data``): purchases of one customer on one day are one
transaction (their amounts added); a customer enters the calibration when his first
purchase is on or before its end; ``frequency`` x counts his *repeat* purchase days in
the calibration (distinct days after the first), ``recency`` t_x is the time from the
first to the last of them, ``T`` from the first to the end of the calibration, in
periods of 1 (day), 7 (week), 365.25/12 (month) or 365.25 (year) days; ``monetary`` m is
the mean value of the repeat transactions (the first is left out).
"""

import datetime
from dataclasses import dataclass

import numpy as np
from django.db.models import F

from ..models import Purchase

PERIOD_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}


@dataclass
class History:
    customer: np.ndarray  # int64 customer pk per transaction
    day: np.ndarray  # int64 proleptic ordinal of the date
    amount: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.customer)


def history_load() -> History:
    """Every imported purchase, and every confirmed CRM sales order, as arrays."""
    rows = list(Purchase.objects.values_list("customer_id", "ordered_on", "amount"))
    try:
        from panorama.sales.models import Order

        done = [Order.Status.CONFIRMED, Order.Status.SHIPPED, Order.Status.DELIVERED]
        for customer_id, confirmed, total in (
            Order.objects.filter(status__in=done)
            .annotate(at=F("confirmed_at"))
            .values_list("customer_id", "at", "total")
        ):
            if confirmed is not None:
                rows.append((customer_id, confirmed.date(), total))
    except ImportError:  # pragma: no cover - sales is always installed today
        pass
    if not rows:
        return History(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    customer = np.fromiter((r[0] for r in rows), np.int64, len(rows))
    day = np.fromiter((r[1].toordinal() for r in rows), np.int64, len(rows))
    amount = np.fromiter((float(r[2]) for r in rows), np.float64, len(rows))
    return History(customer, day, amount)


@dataclass
class Summary:
    customer: np.ndarray
    frequency: np.ndarray  # x: repeat transactions in the calibration
    recency: np.ndarray  # t_x, in periods
    T: np.ndarray  # age at the end of the calibration, in periods
    monetary: np.ndarray  # mean repeat transaction value (0 when x = 0)
    first_day: np.ndarray
    last_day: np.ndarray
    total: np.ndarray  # all spend in the calibration, first purchase included
    holdout: np.ndarray  # transactions after the calibration, up to the observation end

    def __len__(self) -> int:
        return len(self.customer)


def _daily(history: History) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Transactions: one per customer and day, amounts added, sorted."""
    order = np.lexsort((history.day, history.customer))
    customer, day, amount = history.customer[order], history.day[order], history.amount[order]
    if not len(customer):
        return customer, day, amount
    change = np.r_[True, (customer[1:] != customer[:-1]) | (day[1:] != day[:-1])]
    starts = np.flatnonzero(change)
    return customer[starts], day[starts], np.add.reduceat(amount, starts)


def summarise(
    history: History,
    *,
    calibration_end: datetime.date,
    observation_end: datetime.date | None = None,
    period: str = "week",
) -> Summary:
    unit = PERIOD_DAYS[period]
    end = calibration_end.toordinal()
    stop = observation_end.toordinal() if observation_end else end
    customer, day, amount = _daily(history)
    inside = day <= end
    c_customer, c_day, c_amount = customer[inside], day[inside], amount[inside]
    if not len(c_customer):
        empty = np.zeros(0)
        return Summary(*(empty,) * 9)
    starts = np.flatnonzero(np.r_[True, c_customer[1:] != c_customer[:-1]])
    counts = np.diff(np.r_[starts, len(c_customer)])
    ids = c_customer[starts]
    first, last = c_day[starts], c_day[starts + counts - 1]
    total = np.add.reduceat(c_amount, starts)
    x = counts - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        monetary = np.where(x > 0, (total - c_amount[starts]) / np.maximum(x, 1), 0.0)
    later = (day > end) & (day <= stop)
    holdout = np.zeros(len(ids))
    if later.any():
        position = np.searchsorted(ids, customer[later])
        known = (position < len(ids)) & (ids[np.minimum(position, len(ids) - 1)] == customer[later])
        np.add.at(holdout, position[known], 1)
    return Summary(
        customer=ids,
        frequency=x.astype(float),
        recency=(last - first) / unit,
        T=(end - first) / unit,
        monetary=monetary,
        first_day=first,
        last_day=last,
        total=total,
        holdout=holdout,
    )


def _calendar_index(days: np.ndarray, period: str, origin: np.ndarray) -> np.ndarray:
    """Discrete opportunity number of each day: calendar years or months, or blocks of
    7 days / single days counted from the customer's first purchase."""
    if period in ("year", "month"):
        dates = [datetime.date.fromordinal(int(d)) for d in days]
        if period == "year":
            return np.array([d.year for d in dates], np.int64)
        return np.array([d.year * 12 + d.month - 1 for d in dates], np.int64)
    return (days - origin) // int(PERIOD_DAYS[period])


def summarise_discrete(
    history: History, *, calibration_end: datetime.date, period: str = "year"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(customer, x, t_x, n) for BG/BB: the opportunities are the periods after the one
    of the first purchase up to the one holding the calibration end; x counts those with
    a purchase, t_x is the last of them (0 when none)."""
    customer, day, _amount = _daily(history)
    inside = day <= calibration_end.toordinal()
    customer, day = customer[inside], day[inside]
    if not len(customer):
        empty = np.zeros(0)
        return empty, empty, empty, empty
    starts = np.flatnonzero(np.r_[True, customer[1:] != customer[:-1]])
    counts = np.diff(np.r_[starts, len(customer)])
    origin_each = np.repeat(day[starts], counts)
    slot = _calendar_index(day, period, origin_each)
    origin_slot = np.repeat(slot[starts], counts)
    relative = slot - origin_slot
    end_ord = np.array([calibration_end.toordinal()] * len(starts), np.int64)
    n = _calendar_index(end_ord, period, day[starts]) - slot[starts]
    # distinct opportunities with a purchase, after the first one
    distinct = np.r_[True, (customer[1:] != customer[:-1]) | (relative[1:] != relative[:-1])]
    repeat = distinct & (relative > 0)
    owner = np.repeat(np.arange(len(starts)), counts)
    x = np.bincount(owner[repeat], minlength=len(starts)).astype(float)
    t_x = np.zeros(len(starts))
    np.maximum.at(t_x, owner, relative.astype(float))
    return customer[starts], x, t_x, n.astype(float)
