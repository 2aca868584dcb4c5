"""The bench's score write-back on small data: every customer gets one score of each
kind (as a scheduled run writes them), and the key is written to the JSON."""

import pytest

from panorama.analytics.models import CustomerScore
from panorama.bench import scores as bench_scores
from panorama.bench.parts import JSON_KEYS
from panorama.customers.models import Customer

pytestmark = pytest.mark.django_db


def _customers(n: int) -> list[int]:
    Customer.objects.bulk_create(
        [Customer(display_name=f"Cliente {i}", search_name=f"cliente {i}") for i in range(n)],
        batch_size=5000,
    )
    return list(Customer.objects.order_by("pk").values_list("pk", flat=True))


def test_every_customer_gets_a_score_of_each_kind(admin_user):
    ids = _customers(60)
    out = bench_scores.measure_all(lambda text: None)
    assert out["segment_score_write_s"] > 0
    scored = CustomerScore.objects.filter(customer_id__in=ids)
    assert scored.count() == 60
    assert not scored.filter(rfm_segment="").exists()
    assert not scored.filter(clv=None).exists() and not scored.filter(churn_risk=None).exists()
    assert not scored.filter(cluster=None).exists()
    assert 0 < scored.exclude(next_best_offer="").count() < 60


def test_the_key_is_written_to_the_json():
    assert "segment_score_write_s" in JSON_KEYS
