"""RFM: recency, frequency and monetary quintile scores and the named segments.

Each customer with a purchase gets R, F and M from 1 to 5 (quintiles over all scored
customers; R is 5 for the most recent). Ties are ranked together (average rank), so a
score never depends on the order customers were stored. The segment names follow the
common RFM grid (champions, loyal, at risk...): see docs/analytics.md.
"""

import datetime
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _

from .data import History, _daily

# key → label, in the order a marketer reads them (best first)
SEGMENTS = {
    "champions": _("Champions"),
    "loyal": _("Loyal customers"),
    "potential_loyalists": _("Potential loyalists"),
    "new": _("New customers"),
    "promising": _("Promising"),
    "need_attention": _("Need attention"),
    "about_to_sleep": _("About to sleep"),
    "at_risk": _("At risk"),
    "cannot_lose": _("Cannot lose them"),
    "hibernating": _("Hibernating"),
    "lost": _("Lost"),
}


def segment_of(r: int, f: int) -> str:
    """The segment of an (R, F) cell (the usual 5×5 RFM grid)."""
    if r >= 4 and f >= 4:
        return "champions"
    if r >= 3 and f >= 4:
        return "loyal"
    if r >= 4 and f >= 2:
        return "potential_loyalists"
    if r == 5 and f == 1:
        return "new"
    if r == 4 and f == 1:
        return "promising"
    if r == 3 and f == 3:
        return "need_attention"
    if r == 3 and f <= 2:
        return "about_to_sleep"
    if r <= 2 and f == 5:
        return "cannot_lose"
    if r <= 2 and f >= 3:
        return "at_risk"
    if r == 2 and f <= 2:
        return "hibernating"
    return "lost"


def _quintile(values: np.ndarray) -> np.ndarray:
    if len(values) == 0:
        return np.zeros(0, int)
    from scipy.stats import rankdata  # scipy.stats takes seconds: only when RFM runs

    ranks = rankdata(values, method="average")
    return np.clip(np.ceil(ranks / len(values) * 5), 1, 5).astype(int)


@dataclass
class Rfm:
    customer: np.ndarray
    recency_days: np.ndarray
    frequency: np.ndarray  # purchase days
    monetary: np.ndarray  # total spend
    r: np.ndarray
    f: np.ndarray
    m: np.ndarray
    segment: list[str]


def rfm_compute(history: History, *, as_of: datetime.date | None = None) -> Rfm:
    customer, day, amount = _daily(history)
    if as_of is not None:
        keep = day <= as_of.toordinal()
        customer, day, amount = customer[keep], day[keep], amount[keep]
    if not len(customer):
        empty = np.zeros(0)
        return Rfm(empty, empty, empty, empty, empty, empty, empty, [])
    reference = as_of.toordinal() if as_of is not None else int(day.max())
    starts = np.flatnonzero(np.r_[True, customer[1:] != customer[:-1]])
    counts = np.diff(np.r_[starts, len(customer)])
    last = day[starts + counts - 1]
    spend = np.add.reduceat(amount, starts)
    recency = reference - last
    r = _quintile(-recency.astype(float))
    f = _quintile(counts.astype(float))
    m = _quintile(spend)
    segments = [segment_of(int(a), int(b)) for a, b in zip(r, f, strict=True)]
    return Rfm(customer[starts], recency, counts, spend, r, f, m, segments)
