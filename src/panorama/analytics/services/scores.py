"""Model scores written back to the customers (the ficha's scores panel reads them).

A run rewrites the columns of its own model for every customer it scored, in one
transaction; the other model's columns are left as they are.
"""

from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import ValidationFailed
from panorama.customers.models import Customer

from ..models import CustomerScore

if TYPE_CHECKING:
    from ..mining.rfm import Rfm

_BATCH = 2000


def _existing(ids: list[int]) -> list[int]:
    """The ids among ``ids`` of customers that still exist (one may be erased mid-run)."""
    found: list[int] = []
    for start in range(0, len(ids), _BATCH):
        found.extend(
            Customer.objects.filter(pk__in=ids[start : start + _BATCH]).values_list("pk", flat=True)
        )
    return found


def _upsert(rows: list[CustomerScore], fields: list[str]) -> None:
    CustomerScore.objects.bulk_create(
        rows,
        batch_size=_BATCH,
        update_conflicts=True,
        unique_fields=["customer"],
        update_fields=fields,
    )


def scores_write_rfm(*, result: "Rfm", by: User | None) -> int:
    ensure_can(by, "analytics.run_models")
    now = timezone.now()
    live = set(_existing([int(c) for c in result.customer]))
    rows = [
        CustomerScore(
            customer_id=int(c),
            recency_days=int(result.recency_days[i]),
            frequency=int(result.frequency[i]),
            monetary=Decimal(str(round(float(result.monetary[i]), 2))),
            rfm_r=int(result.r[i]),
            rfm_f=int(result.f[i]),
            rfm_m=int(result.m[i]),
            rfm_segment=result.segment[i],
            rfm_at=now,
        )
        for i, c in enumerate(result.customer)
        if int(c) in live
    ]
    fields = ["recency_days", "frequency", "monetary", "rfm_r", "rfm_f", "rfm_m"]
    with transaction.atomic():
        _upsert(rows, [*fields, "rfm_segment", "rfm_at"])
    return len(rows)


def scores_write_clv(*, scores: dict, by: User | None) -> int:
    ensure_can(by, "analytics.run_models")
    now = timezone.now()
    live = set(_existing([int(c) for c in scores["customer"]]))
    rows = []
    for i, c in enumerate(scores["customer"]):
        if int(c) not in live:
            continue
        value = float(scores["clv"][i])
        rows.append(
            CustomerScore(
                customer_id=int(c),
                p_alive=float(scores["p_alive"][i]),
                expected_purchases=float(scores["expected"][i]),
                clv=Decimal(str(round(value, 2))) if np.isfinite(value) else None,
                clv_at=now,
            )
        )
    with transaction.atomic():
        _upsert(rows, ["p_alive", "expected_purchases", "clv", "clv_at"])
    return len(rows)


def _churn_reasons_check(reasons) -> None:
    """Each customer's reasons as the churn model gives them (``[{"feature", "label",
    "contribution"}]``, a known feature): anything else is refused before it is written,
    not found later by the ficha and the API that show it."""
    from ..mining.churn import FEATURES

    for i, row in enumerate(reasons):
        if not isinstance(row, list) or not all(
            isinstance(r, dict)
            and r.get("feature") in FEATURES
            and isinstance(r.get("contribution"), int | float)
            for r in row
        ):
            raise ValidationFailed(
                _(
                    "Churn reasons of row %(row)s are not a list of "
                    "{feature, label, contribution} with a known feature."
                )
                % {"row": i + 1},
                field="reasons",
            )


def scores_write_churn(*, customers, risk, reasons, by: User | None) -> int:
    ensure_can(by, "analytics.run_models")
    _churn_reasons_check(reasons)
    now = timezone.now()
    live = set(_existing([int(c) for c in customers]))
    rows = [
        CustomerScore(
            customer_id=int(c),
            churn_risk=float(risk[i]),
            churn_reasons=reasons[i],
            churn_at=now,
        )
        for i, c in enumerate(customers)
        if int(c) in live
    ]
    with transaction.atomic():
        _upsert(rows, ["churn_risk", "churn_reasons", "churn_at"])
    return len(rows)


def scores_write_offers(*, offers: dict[int, dict], by: User | None) -> int:
    """``offers``: customer id → {"product", "because", "confidence", "lift"}."""
    ensure_can(by, "analytics.run_models")
    now = timezone.now()
    live = set(_existing(list(offers)))
    rows = [
        CustomerScore(
            customer_id=c,
            next_best_offer=offer["product"][:200],
            offer_basis={k: v for k, v in offer.items() if k != "product"},
            offer_at=now,
        )
        for c, offer in offers.items()
        if c in live
    ]
    with transaction.atomic():
        # Yesterday's offers are cleared, then this run's written: an offer no rule
        # supports any more is gone. (Not "every row but these ids": at a million
        # customers that list passes SQLite's variable limit, 250,000 in Debian's build,
        # and PostgreSQL plans a million-value NOT IN slowly.)
        CustomerScore.objects.exclude(next_best_offer="").update(
            next_best_offer="", offer_basis={}, offer_at=now
        )
        _upsert(rows, ["next_best_offer", "offer_basis", "offer_at"])
    return len(rows)


def scores_write_clusters(*, customers, labels, by: User | None) -> int:
    """Each customer's cluster number; customers the run left out lose theirs."""
    ensure_can(by, "analytics.run_models")
    now = timezone.now()
    live = set(_existing([int(c) for c in customers]))
    rows = [
        CustomerScore(customer_id=int(c), cluster=int(labels[i]), cluster_at=now)
        for i, c in enumerate(customers)
        if int(c) in live
    ]
    with transaction.atomic():
        # Every cluster is cleared, then this run's written: a customer the run left out
        # has none (no list of every scored id, as for the offers).
        CustomerScore.objects.exclude(cluster=None).update(cluster=None, cluster_at=now)
        _upsert(rows, ["cluster", "cluster_at"])
    return len(rows)
