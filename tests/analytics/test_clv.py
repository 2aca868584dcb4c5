"""Lifetime value models on the public data the literature uses, fed through the ordinary
``panorama import orders``; the figures are the published ones, to their precision."""

import datetime
import json
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lifetimes import BetaGeoFitter
from lifetimes.utils import summary_data_from_transaction_data

from panorama.accounts.models import Role
from panorama.analytics.mining.data import history_load, summarise
from panorama.analytics.models import CustomerScore
from panorama.customers.models import Customer
from tests.factories import UserFactory

from .cdnow import cdnow_sample_csv, donations_csv

pytestmark = pytest.mark.django_db


def cli(*args) -> dict:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def clv(*args) -> dict:
    return cli("analytics", "clv", *args, "--json")


@pytest.fixture
def cdnow(tmp_path):
    report = cli("import_orders", str(cdnow_sample_csv(tmp_path / "cdnow.csv")), "--json")
    assert report["rejected"] == 0 and report["customers_created"] == 2357
    return report


def test_cdnow_reproduces_fader_hardie_lee_2005(cdnow):
    result = clv("--calibration-end", "1997-09-30", "--period", "week")
    assert result["customers"] == 2357 and result["repeat_buyers"] == 946
    bg = result["bgnbd"]  # FHL 2005: r 0.243, α 4.414, a 0.793, b 2.426, LL −9582.4
    assert (round(bg["r"], 3), round(bg["alpha"], 3), round(bg["a"], 3), round(bg["b"], 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert round(bg["ll"], 1) == -9582.4
    pareto = result["paretonbd"]  # r 0.55, α 10.58, s 0.61, β 11.67, LL −9595.0
    assert (
        round(pareto["r"], 2),
        round(pareto["alpha"], 2),
        round(pareto["s"], 2),
        round(pareto["beta"], 2),
    ) == (0.55, 10.58, 0.61, 11.67)
    assert round(pareto["ll"], 1) == -9595.0
    gg = result["gammagamma"]  # repeat buyers: p 6.25, q 3.74, γ 15.44
    assert gg["customers"] == 946
    assert (round(gg["p"], 2), round(gg["q"], 2), round(gg["gamma"], 2)) == (6.25, 3.74, 15.44)
    # the 39-week holdout is predicted and compared
    holdout = result["holdout"]
    assert holdout["length"] == 39.0 and holdout["bgnbd"]["actual"] > 0
    assert 0.8 < holdout["bgnbd"]["predicted"] / holdout["bgnbd"]["actual"] < 1.1
    # scores are written back: every customer has p(alive) and a lifetime value
    assert result["scored"] == 2357
    assert CustomerScore.objects.filter(p_alive__isnull=False, clv__isnull=False).count() == 2357


def test_our_summary_is_lifetimes_summary(cdnow):
    """frequency/recency/T as ``summary_data_from_transaction_data`` computes them."""
    history = history_load()
    ours = summarise(history, calibration_end=datetime.date(1997, 9, 30), period="week")
    frame = pd.DataFrame(
        {
            "id": history.customer,
            "date": [datetime.date.fromordinal(int(d)) for d in history.day],
            "amount": history.amount,
        }
    )
    frame["date"] = pd.to_datetime(frame["date"])
    theirs = summary_data_from_transaction_data(
        frame, "id", "date", monetary_value_col="amount", observation_period_end="1997-09-30"
    ).sort_index()
    assert np.array_equal(ours.customer, theirs.index.to_numpy())
    assert np.allclose(ours.frequency, theirs["frequency"])
    assert np.allclose(ours.recency, theirs["recency"] / 7)
    assert np.allclose(ours.T, theirs["T"] / 7)
    assert np.allclose(ours.monetary, theirs["monetary_value"])
    # and lifetimes, given our summary, agrees on p(alive)
    fitter = BetaGeoFitter().fit(ours.frequency, ours.recency, ours.T)
    result = clv("--calibration-end", "1997-09-30", "--no-write")
    from panorama.analytics.mining.clv import bgnbd_p_alive

    ours_alive = bgnbd_p_alive(result["bgnbd"], ours.frequency, ours.recency, ours.T)
    theirs_alive = fitter.conditional_probability_alive(ours.frequency, ours.recency, ours.T)
    assert np.allclose(ours_alive, theirs_alive, atol=2e-3)


def test_bgbb_reproduces_fader_hardie_shang_2010_on_the_donations(tmp_path):
    cli("import_orders", str(donations_csv(tmp_path / "donations.csv")), "--json")
    result = clv("--calibration-end", "2001-12-31", "--period", "year", "--no-write")
    bgbb = result["bgbb"]  # FHS 2010: α 1.204, β 0.750, γ 0.657, δ 2.783, LL −33,225.6
    assert bgbb["customers"] == 11104
    assert (
        round(bgbb["alpha"], 3),
        round(bgbb["beta"], 3),
        round(bgbb["gamma"], 3),
        round(bgbb["delta"], 3),
    ) == (1.204, 0.750, 0.657, 2.783)
    assert round(bgbb["ll"], 1) == -33225.6


def test_a_frequent_recent_buyer_is_worth_more_and_more_alive_than_a_lapsed_one(tmp_path):
    rows = ["customer_id,date,amount"]
    for month in range(1, 13):
        rows.append(f"loyal,2024-{month:02d}-10,50")
    rows += ["lapsed,2024-01-03,50", "lapsed,2024-02-03,50"]
    for n in range(40):  # a crowd so the models have something to fit
        rows.append(f"c{n},2024-0{1 + n % 6}-0{1 + n % 9},20")
        if n % 3 == 0:
            rows.append(f"c{n},2024-{7 + n % 5:02d}-15,25")
    path = tmp_path / "h.csv"
    path.write_text("\n".join(rows) + "\n")
    cli("import_orders", str(path), "--json")
    clv("--calibration-end", "2024-12-31", "--period", "day")
    loyal = CustomerScore.objects.get(customer__identities__value="loyal")
    lapsed = CustomerScore.objects.get(customer__identities__value="lapsed")
    assert loyal.p_alive > lapsed.p_alive
    assert loyal.clv > lapsed.clv > 0
    assert loyal.expected_purchases > lapsed.expected_purchases


def test_bad_input_is_refused_with_a_message(api):
    with pytest.raises(CommandError, match="ISO date"):
        clv("--calibration-end", "30/09/1997")
    with pytest.raises(CommandError, match="no purchases"):
        clv("--calibration-end", "1997-09-30")
    answer = api.post("/analytics/models/clv", json={"calibration_end": "1997-09-30"})
    assert answer.status_code == 422 and "no purchases" in answer.json()["detail"]
    answer = api.post("/analytics/models/clv", json={"calibration_end": "x", "period": "week"})
    assert answer.status_code == 422
    answer = api.post(
        "/analytics/models/clv", json={"calibration_end": "1997-09-30", "period": "fortnight"}
    )
    assert answer.status_code == 422


def test_a_sales_rep_may_not_run_the_models(api_as, cdnow):
    rep = UserFactory(role=Role.SALES_REP)
    answer = api_as(rep).post("/analytics/models/clv", json={"calibration_end": "1997-09-30"})
    assert answer.status_code == 403
    assert not CustomerScore.objects.exists()
    assert Customer.objects.count() == 2357
