"""RFM segments and the scores written back: on the ficha, in the API, within one's scope."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command

from panorama.accounts.models import Role
from panorama.analytics.mining.rfm import segment_of
from panorama.analytics.models import CustomerScore
from panorama.analytics.selectors import score_for_panel
from panorama.customers.models import Customer
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

HISTORY = ["customer_id,date,amount"]
# "best" bought every month, "once" a year ago, the crowd in between
HISTORY += [f"best,2024-{m:02d}-05,80" for m in range(1, 13)]
HISTORY += ["once,2024-01-02,15"]
for n in range(30):
    HISTORY += [f"c{n},2024-{1 + n % 12:02d}-10,{10 + n}"]
    HISTORY += [f"c{n},2024-{1 + (n + 3) % 12:02d}-20,{5 + n}"] if n % 2 else []


def run(*args) -> dict:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def history(tmp_path, rep):
    path = tmp_path / "h.csv"
    path.write_text("\n".join(HISTORY) + "\n")
    call_command("import_orders", str(path), "--user", rep.username, stdout=StringIO())


def score_of(external_id: str) -> CustomerScore:
    return CustomerScore.objects.get(customer__identities__value=external_id)


def test_the_rfm_grid_names_the_usual_segments():
    assert segment_of(5, 5) == "champions"
    assert segment_of(5, 1) == "new"
    assert segment_of(1, 5) == "cannot_lose"
    assert segment_of(1, 1) == "lost"


def test_rfm_scores_every_buyer_and_names_the_segments(history):
    report = run("analytics", "rfm", "--json")
    assert report["customers"] == 32 and report["scored"] == 32
    sizes = {s["segment"]: s["customers"] for s in report["segments"]}
    assert sum(sizes.values()) == 32
    best, once = score_of("best"), score_of("once")
    assert (best.rfm_r, best.rfm_f, best.rfm_m) == (5, 5, 5)
    assert best.rfm_segment == "champions" and best.frequency == 12
    assert once.rfm_r == 1 and once.rfm_segment == "lost"
    # days from his purchase to the last one in the data (2024-12-10)
    assert once.recency_days == (datetime.date(2024, 12, 10) - datetime.date(2024, 1, 2)).days


def test_the_ficha_shows_the_scores_panel(client, history, rep):
    run("analytics", "rfm", "--json")
    run("analytics", "clv", "--calibration-end", "2024-12-31", "--period", "day", "--json")
    best = Customer.objects.get(identities__value="best")
    client.force_login(rep)
    page = client.get(f"/customers/{best.pk}/?tab=details").content.decode()
    assert 'id="panel-scores"' in page and "Champions" in page
    assert 'id="score-clv"' in page and 'id="score-alive"' in page
    assert "12 orders" in page


def test_the_panel_reads_in_one_query(history, rep, django_assert_num_queries):
    run("analytics", "rfm", "--json")
    best = Customer.objects.get(identities__value="best")
    with django_assert_num_queries(1):
        [data] = score_for_panel(customer=best, user=rep)
    assert data["score"].rfm_segment == "champions" and data["history"]["orders"] == 12


def test_the_api_gives_scores_only_for_customers_one_sees(history, rep, api_as):
    run("analytics", "rfm", "--json")
    best = Customer.objects.get(identities__value="best")
    answer = api_as(rep).get(f"/analytics/customers/{best.pk}/scores")
    assert answer.status_code == 200
    body = answer.json()
    assert body["score"]["rfm_segment"] == "champions" and body["history"]["orders"] == 12
    outsider = UserFactory(role=Role.SALES_REP, teams=[TeamFactory(name="Elsewhere")])
    assert api_as(outsider).get(f"/analytics/customers/{best.pk}/scores").status_code == 404
    assert api_as(outsider).get("/analytics/rfm/segments").json() == []
    segments = {
        s["rfm_segment"]: s["customers"] for s in api_as(rep).get("/analytics/rfm/segments").json()
    }
    assert sum(segments.values()) == 32
    assert api_as(rep).get("/analytics/customers/999999/scores").status_code == 404
    assert api_as(rep).get("/analytics/customers/abc/scores").status_code == 422


def test_rfm_via_the_api_for_an_analyst_and_not_for_a_rep(history, api_as, rep):
    analyst = UserFactory(role=Role.ANALYST)
    answer = api_as(analyst).post("/analytics/models/rfm", json={})
    assert answer.status_code == 200 and answer.json()["scored"] == 32
    assert api_as(rep).post("/analytics/models/rfm", json={}).status_code == 403
    assert api_as(analyst).post("/analytics/models/rfm", json={"as_of": "nope"}).status_code == 422


def test_churn_reasons_of_another_shape_are_refused_and_the_api_still_answers(history, rep, api_as):
    """Reasons as bare words (what the bench once wrote) made the scores API answer 500;
    the write-back refuses them, writes nothing, and the model's shape is shown."""
    from panorama.analytics.services.scores import scores_write_churn
    from panorama.core.exceptions import ValidationFailed

    best = Customer.objects.get(identities__value="best")
    with pytest.raises(ValidationFailed) as refused:
        scores_write_churn(customers=[best.pk], risk=[0.9], reasons=[["recency"]], by=None)
    assert refused.value.field == "reasons" and "row 1" in str(refused.value.message)
    assert not CustomerScore.objects.filter(customer=best, churn_risk__isnull=False).exists()
    reason = {"feature": "recency_days", "label": "days", "contribution": 0.8}
    assert scores_write_churn(customers=[best.pk], risk=[0.9], reasons=[[reason]], by=None) == 1
    answer = api_as(rep).get(f"/analytics/customers/{best.pk}/scores")
    assert answer.status_code == 200
    assert answer.json()["score"]["churn_reasons"][0]["feature"] == "recency_days"
