"""The demo's analytics: ``panorama demo`` imports an order history for part of its
customers, retrains the models and builds the warehouse, so a demo customer's ficha
shows his scores and the commercial results mart has revenue from the first start.

The warehouse reads the operational database through DuckDB's own connection: the demo's
rows must be committed, hence a transactional test."""

import io

import pytest
from django.core.management import call_command

from panorama.accounts.models import User
from panorama.analytics.models import CustomerScore, ModelRun, Purchase
from panorama.analytics.warehouse import engine
from panorama.seeding.analytics_demo import history_csv
from panorama.seeding.showcase import showcase_customer_id

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_has_an_order_history_scores_and_a_built_warehouse(
    client, settings, tmp_path, monkeypatch
):
    settings.WAREHOUSE_PATH = tmp_path / "warehouse"
    monkeypatch.setenv("PANORAMA_ADMIN_PASSWORD", "Demo-pass-12345x")
    out = io.StringIO()
    call_command("demo", customers=60, leads=5, verbosity=0, stdout=out)
    assert "Order history:" in out.getvalue()
    assert Purchase.objects.values("customer").distinct().count() >= 30
    assert {run.kind for run in ModelRun.objects.all()} >= {"rfm", "clv", "cluster", "churn"}

    showcase = showcase_customer_id()
    score = CustomerScore.objects.get(customer_id=showcase)
    assert score.rfm_segment and score.clv is not None and score.churn_risk is not None
    assert CustomerScore.objects.exclude(churn_risk=None).count() >= 30

    client.force_login(User.objects.get(username="admin"))
    page = client.get(f"/customers/{showcase}/").content.decode()
    assert 'id="score-churn"' in page

    con = engine.connect(read_only=True)
    try:
        revenue, months = con.execute(
            "SELECT SUM(revenue), COUNT(DISTINCT month) FROM mart_commercial_results"
        ).fetchone()
    finally:
        con.close()
    assert revenue > 0 and months >= 12


def test_the_history_is_the_same_for_the_same_seed():
    import datetime

    end = datetime.date(2026, 6, 30)
    one = history_csv(["A", "B"], products=["Tea", "Milk"], months=18, end=end, seed=3)
    assert one == history_csv(["A", "B"], products=["Tea", "Milk"], months=18, end=end, seed=3)
    assert one != history_csv(["A", "B"], products=["Tea", "Milk"], months=18, end=end, seed=4)
    assert max(line.split(",")[2] for line in one[0].splitlines()[1:]) <= end.isoformat()
