"""The warehouse's model features job (DuckDB, over the Parquet export) gives every
customer the very features the churn model computes from the same sales, and the CLV
summaries' mean repeat value: the job Spark runs too (``test_spark.py``)."""

import datetime

import numpy as np

from panorama.analytics.mining.churn import FEATURES, features_at
from panorama.analytics.mining.data import History, summarise
from panorama.analytics.warehouse import jobs
from panorama.analytics.warehouse.marts.base import SALES

from .test_spark import seeded_export


def _history(con) -> History:
    rows = con.execute(f"SELECT customer_id, date_key, total FROM {SALES} s").fetchall()
    return History(
        np.array([r[0] for r in rows], np.int64),
        np.array([r[1].toordinal() for r in rows], np.int64),
        np.array([float(r[2]) for r in rows]),
    )


def test_the_features_job_equals_the_churn_and_clv_features_of_the_same_sales(tmp_path):
    con = jobs.over_parquet(seeded_export(tmp_path / "parquet", customers=120))
    # A day inside the history: later sales are left out, the 90-day window matters.
    as_of = jobs.as_of_default(con) - datetime.timedelta(days=60)
    rows = con.execute(jobs.features_sql(as_of)).fetchall()
    history = _history(con)
    con.close()

    churn = features_at(history, as_of)
    clv = summarise(history, calibration_end=as_of, period="day")
    assert len(rows) == len(churn.customer) > 100
    by_customer = {row[0]: row for row in rows}
    for i, customer in enumerate(churn.customer):
        row = by_customer[int(customer)]
        assert np.allclose(row[1 : 1 + len(FEATURES)], churn.matrix[i]), customer
        assert clv.customer[i] == customer
        assert np.isclose(row[-1], clv.monetary[i]), customer
        assert row[2] - 1 == clv.frequency[i] and row[5] == clv.T[i]
        assert row[5] - row[1] == clv.recency[i]
    # Someone bought in the last 90 days and someone did not; some bought once.
    assert {row[7] > 0 for row in rows} == {True, False}
    assert {row[2] == 1 for row in rows} == {True, False}
