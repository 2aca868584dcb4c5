"""The bench's score write-back figure, in process:

- ``segment_score_write_s``: writing every customer's model scores back to the
  operational database, as a scheduled run does after fitting: the RFM segment, the
  lifetime value, the churn risk with its reasons, the cluster and the next best offer,
  each through its ``analytics.services.scores`` writer (one transaction per model). The
  scores are drawn at random: the fits are measured apart (``clv_fit_s``), this is the
  cost of putting one score of each kind on every ficha and in every segment.

The figure is the sum of the five writes; each is printed too."""

import time
from collections.abc import Callable

import numpy as np

from panorama.accounts.models import User
from panorama.analytics.mining.rfm import Rfm
from panorama.analytics.services import scores
from panorama.customers.models import Customer

SEGMENTS = ("champions", "loyal", "at_risk", "hibernating", "new")


def _writes(ids: np.ndarray, by: User | None) -> dict[str, Callable[[], int]]:
    rng = np.random.default_rng(11)
    n = len(ids)
    frequency = rng.integers(1, 30, n)
    rfm = Rfm(
        customer=ids,
        recency_days=rng.integers(0, 720, n),
        frequency=frequency,
        monetary=rng.gamma(2.0, 150.0, n).round(2),
        r=rng.integers(1, 6, n),
        f=rng.integers(1, 6, n),
        m=rng.integers(1, 6, n),
        segment=[SEGMENTS[i] for i in rng.integers(0, len(SEGMENTS), n)],
    )
    clv = {
        "customer": ids,
        "p_alive": rng.random(n),
        "expected": rng.random(n) * 4,
        "clv": rng.gamma(2.0, 200.0, n),
    }
    risk = rng.random(n)
    # The churn model's shape: the features raising the risk, largest first.
    reasons = [
        [{"feature": "recency_days", "label": "days since the last purchase", "contribution": 0.8}]
        if r > 0.5
        else []
        for r in risk
    ]
    offered = ids[rng.random(n) < 0.3]
    offers = {
        int(c): {"product": "Seguro hogar", "because": ["Cuenta nómina"], "confidence": 0.4}
        for c in offered
    }
    labels = rng.integers(0, 5, n)
    return {
        "rfm": lambda: scores.scores_write_rfm(result=rfm, by=by),
        "clv": lambda: scores.scores_write_clv(scores=clv, by=by),
        "churn": lambda: scores.scores_write_churn(
            customers=ids, risk=risk, reasons=reasons, by=by
        ),
        "clusters": lambda: scores.scores_write_clusters(customers=ids, labels=labels, by=by),
        "offers": lambda: scores.scores_write_offers(offers=offers, by=by),
    }


def measure_all(say: Callable[[str], None]) -> dict:
    by = User.objects.filter(is_superuser=True).first()
    ids = np.array(list(Customer.objects.order_by("pk").values_list("pk", flat=True)))
    say(f"Measuring the score write-back ({len(ids):,} customers, five models)...")
    total = 0.0
    for name, write in _writes(ids, by).items():
        start = time.perf_counter()
        written = write()
        seconds = time.perf_counter() - start
        total += seconds
        say(f"  {name}: {written:,} customers in {seconds:.2f} s")
    return {"segment_score_write_s": round(total, 2)}
