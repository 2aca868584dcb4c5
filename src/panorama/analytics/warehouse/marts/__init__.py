"""Department data marts, built from the star schema after every load.

Each mart is one SQL statement written in the subset DuckDB and Spark SQL share; the
few functions that differ come from a ``Dialect``. So the Spark jobs (``spark.py``)
run the very same statements over the Parquet export, and a test checks the two
engines agree. Every mart row carries the customer's current ``owner_id`` and
``team_id``: the record-level rule of the customers app filters on them.

No mart holds personal data (names are joined from ``dim_customer`` when a user with
access looks at a customer's row).

The marts are defined per department (``commercial``, ``finance``, ``marketing``,
``service``, ``operations``) on what ``base`` shares; ``MARTS`` lists them all, in the
order the pages show them.
"""

import time

from . import commercial, finance, marketing, operations, refresh, service, sums
from .base import Mart
from .changes import Changes, has_customer

__all__ = [
    "KEYED_INPUTS",
    "MARTS",
    "MART_NAMES",
    "SCORE_DDL",
    "SCORE_TABLE",
    "SCORE_TYPES",
    "Changes",
    "has_customer",
    "marts_build",
    "refresh",
    "sums",
]

MARTS: tuple[Mart, ...] = (
    *commercial.MARTS,
    *finance.MARTS,
    *marketing.MARTS,
    *service.MARTS,
    *operations.MARTS,
)
MART_NAMES = tuple(m.name for m in MARTS)
# The star's tables the keyed marts read: a refresh compares those loaded whole
# (``replace``) with their previous rows to name the customers that changed.
KEYED_INPUTS = frozenset(t for m in MARTS if m.keyed for t in m.inputs)
SCORE_TABLE = "fact_score"
SCORE_DDL = (
    "customer_id BIGINT PRIMARY KEY, churn_probability DOUBLE, clv DECIMAL(18,2), "
    "rfm_segment VARCHAR"
)


SCORE_TYPES = {"churn_probability": "DOUBLE", "clv": "DECIMAL(18,2)", "rfm_segment": "VARCHAR"}


def marts_build(
    con,
    *,
    scores: dict[str, str],
    score_table: str = "",
    changes: Changes | None = None,
    timings: dict[str, float] | None = None,
    per_customer: list[str] | None = None,
    cpu: dict[str, float] | None = None,
) -> None:
    """Copy the scores (when the models wrote any) and build the marts.

    ``scores``: warehouse score column → the column of ``score_table`` holding it (the
    churn probability is ``churn_risk`` in ``analytics_customerscore``); columns not
    named are left empty. Without ``changes`` (a full build) every mart is built whole;
    a refresh hands the customers it changed and the keyed marts replace only their
    rows (``refresh.py``). ``timings`` receives the seconds of each mart, ``per_customer``
    the names of the marts rebuilt per customer, ``cpu`` the CPU seconds of each mart."""
    started = time.perf_counter()
    if changes is not None:
        con.execute(f"CREATE OR REPLACE TEMP TABLE wh_score_before AS SELECT * FROM {SCORE_TABLE}")
    con.execute(f"CREATE OR REPLACE TABLE {SCORE_TABLE} ({SCORE_DDL})")
    if scores and score_table:
        picked = [
            f"CAST({scores[c]} AS {t})" if c in scores else f"CAST(NULL AS {t})"
            for c, t in SCORE_TYPES.items()
        ]
        con.execute(
            f"INSERT INTO {SCORE_TABLE} SELECT DISTINCT ON (customer_id) customer_id, "
            f"{', '.join(picked)} FROM {score_table}"
        )
    if changes is not None:
        refresh.scores_compare(con, changes, SCORE_TABLE)
    if timings is not None:
        timings[SCORE_TABLE] = round(time.perf_counter() - started, 3)
    refresh.marts_load(con, MARTS, changes=changes, timings=timings, done=per_customer, cpu=cpu)
