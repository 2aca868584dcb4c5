"""Customer clustering: k-means on RFM, lifetime value and tenure, k chosen by silhouette.

Features per customer with a purchase (see docs/analytics.md): days since the last
purchase, purchase days, total spend, predicted lifetime value (when the CLV model has
scored him; the median of those scored otherwise, and the feature is left out when
nobody is scored) and days since the first purchase. Counts and money are skewed, so
they enter as log(1 + x); every feature is then standardised (mean 0, sd 1) so none
dominates by its unit.

k runs over ``K_RANGE``; the one with the best mean silhouette wins (ties: the smaller
k). Each cluster is described by its size, its members' feature means (in the original
units) and the traits that set it apart: the features whose standardised centroid is
furthest from 0, turned into words ("recent", "frequent", "big spenders"...). Its name
is made of its two strongest traits.

Numbers stay stable across refreshes: the new centroids are matched to the previous
run's (Hungarian assignment on their distance in today's standardised space), so
"cluster 2" keeps meaning the same customers' kind of behaviour when the data moves a
little; a cluster with no counterpart takes the first unused number.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext_lazy as _

FEATURES = ("recency_days", "frequency", "monetary", "clv", "tenure_days")
LOGGED = {"frequency", "monetary", "clv"}
K_RANGE = range(2, 9)
SILHOUETTE_SAMPLE = 5000
# A trait is named when the centroid is at least this many standard deviations away.
TRAIT_THRESHOLD = 0.35

# (feature, direction) → the words a marketer reads
TRAITS = {
    ("recency_days", "low"): _("recent buyers"),
    ("recency_days", "high"): _("lapsed"),
    ("frequency", "high"): _("frequent"),
    ("frequency", "low"): _("one-off"),
    ("monetary", "high"): _("big spenders"),
    ("monetary", "low"): _("low spend"),
    ("clv", "high"): _("high future value"),
    ("clv", "low"): _("low future value"),
    ("tenure_days", "high"): _("long-standing"),
    ("tenure_days", "low"): _("new"),
}
FEATURE_LABELS = {
    "recency_days": _("Days since last purchase"),
    "frequency": _("Purchases"),
    "monetary": _("Spend"),
    "clv": _("Lifetime value"),
    "tenure_days": _("Days as a customer"),
}


def cluster_name(traits: list[dict]) -> str:
    """A readable name from a profile's traits (in the active language)."""
    words = [str(TRAITS[(t["feature"], t["direction"])]) for t in traits[:2]]
    if not words:
        return str(_("Average customers"))
    text = ", ".join(words)
    return text[0].upper() + text[1:]


@dataclass
class Features:
    customer: np.ndarray
    names: list[str]
    raw: np.ndarray  # customers × features, original units


def features_build(
    customer: np.ndarray,
    day: np.ndarray,
    amount: np.ndarray,
    *,
    reference: int,
    clv: dict[int, float],
) -> Features:
    """One row per customer from his daily transactions (``customer``/``day``/``amount``
    sorted by customer then day, one per day, as ``data._daily`` gives them)."""
    if not len(customer):
        names = [f for f in FEATURES if f != "clv"]
        return Features(customer, names, np.zeros((0, len(names))))
    starts = np.flatnonzero(np.r_[True, customer[1:] != customer[:-1]])
    counts = np.diff(np.r_[starts, len(customer)])
    ids = customer[starts]
    first, last = day[starts], day[starts + counts - 1]
    columns = {
        "recency_days": (reference - last).astype(float),
        "frequency": counts.astype(float),
        "monetary": np.add.reduceat(amount, starts),
        "tenure_days": (reference - first).astype(float),
    }
    known = [clv.get(int(c)) for c in ids]
    present = [v for v in known if v is not None and np.isfinite(v)]
    names = [f for f in FEATURES if f != "clv" or present]
    if present:
        fill = float(np.median(present))
        columns["clv"] = np.array(
            [max(v, 0.0) if v is not None and np.isfinite(v) else fill for v in known]
        )
    raw = np.column_stack([columns[f] for f in names]) if len(ids) else np.zeros((0, len(names)))
    return Features(ids, names, raw)


def _transform(raw: np.ndarray, names: list[str]) -> np.ndarray:
    out = raw.astype(float).copy()
    for j, name in enumerate(names):
        if name in LOGGED:
            out[:, j] = np.log1p(np.maximum(out[:, j], 0))
    return out


@dataclass
class Clustering:
    customer: np.ndarray
    label: np.ndarray  # the cluster number (1..k) of each customer
    k: int
    features: list[str]
    silhouettes: dict[int, float]
    profiles: list[dict] = field(default_factory=list)

    def card(self) -> dict:
        return {
            "k": self.k,
            "customers": len(self.customer),
            "features": self.features,
            "silhouettes": {str(k): round(v, 4) for k, v in self.silhouettes.items()},
            "silhouette": round(self.silhouettes.get(self.k, 0.0), 4),
            "clusters": self.profiles,
        }


def _numbers(centroids: np.ndarray, previous: list[dict], mean, sd, names) -> list[int]:
    """The number of each new centroid: its previous counterpart's, else a free one."""
    k = len(centroids)
    old = [
        (p["cluster"], [p["centre"][n] for n in names])
        for p in previous
        if set(names) <= set(p.get("centre", {}))
    ]
    numbers = [0] * k
    if old:
        old_z = (np.array([c for _n, c in old]) - mean) / sd
        cost = np.linalg.norm(centroids[:, None, :] - old_z[None, :, :], axis=2)
        from scipy.optimize import linear_sum_assignment

        rows, cols = linear_sum_assignment(cost)
        for r, c in zip(rows, cols, strict=True):
            numbers[r] = int(old[c][0])
    free = (n for n in range(1, 10_000) if n not in numbers)
    return [n or next(free) for n in numbers]


def clusters_fit(
    features: Features,
    *,
    k: int | None = None,
    previous: list[dict] | None = None,
    seed: int = 0,
) -> Clustering:
    """k-means with ``k`` clusters (or the best silhouette over ``K_RANGE``). Raises
    ValueError when there are too few customers for two clusters."""
    n = len(features.customer)
    x = _transform(features.raw, features.names)
    mean = x.mean(axis=0) if n else np.zeros(x.shape[1])
    sd = x.std(axis=0) if n else np.ones(x.shape[1])
    sd[sd == 0] = 1.0
    z = (x - mean) / sd
    candidates = [k] if k else [c for c in K_RANGE if c < n]
    distinct = len(np.unique(z, axis=0)) if n else 0
    candidates = [c for c in candidates if 2 <= c <= distinct and c < n]
    if not candidates:
        raise ValueError(n)
    sample = min(n, SILHOUETTE_SAMPLE)
    from sklearn.cluster import KMeans  # seconds to import: only when a fit runs
    from sklearn.metrics import silhouette_score

    fits: dict[int, KMeans] = {}
    silhouettes: dict[int, float] = {}
    for c in candidates:
        model = KMeans(n_clusters=c, n_init=10, random_state=seed).fit(z)
        fits[c] = model
        silhouettes[c] = float(
            silhouette_score(z, model.labels_, sample_size=sample, random_state=seed)
        )
    best = max(candidates, key=lambda c: (round(silhouettes[c], 6), -c))
    model = fits[best]
    centroids = model.cluster_centers_
    numbers = _numbers(centroids, previous or [], mean, sd, features.names)
    label = np.array([numbers[i] for i in model.labels_], dtype=int)
    profiles: list[dict[str, Any]] = []
    for index, number in enumerate(numbers):
        members = model.labels_ == index
        means = features.raw[members].mean(axis=0)
        centre = centroids[index]
        order = np.argsort(-np.abs(centre))
        traits = [
            {
                "feature": features.names[j],
                "direction": "high" if centre[j] > 0 else "low",
                "z": round(float(centre[j]), 3),
            }
            for j in order
            if abs(centre[j]) >= TRAIT_THRESHOLD
        ]
        profiles.append(
            {
                "cluster": number,
                "size": int(members.sum()),
                "share": round(float(members.mean()), 4),
                "means": {f: round(float(means[j]), 2) for j, f in enumerate(features.names)},
                # the centroid in log/original units, for matching the next run's numbers
                "centre": {
                    f: float(centre[j] * sd[j] + mean[j]) for j, f in enumerate(features.names)
                },
                "traits": traits,
            }
        )
    profiles.sort(key=lambda p: p["cluster"])
    return Clustering(features.customer, label, best, list(features.names), silhouettes, profiles)
