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

from . import commercial, finance, marketing, operations, service
from .base import DUCKDB, Mart

MARTS: tuple[Mart, ...] = (
    *commercial.MARTS,
    *finance.MARTS,
    *marketing.MARTS,
    *service.MARTS,
    *operations.MARTS,
)
MART_NAMES = tuple(m.name for m in MARTS)
SCORE_TABLE = "fact_score"
SCORE_DDL = (
    "customer_id BIGINT PRIMARY KEY, churn_probability DOUBLE, clv DECIMAL(18,2), "
    "rfm_segment VARCHAR"
)


SCORE_TYPES = {"churn_probability": "DOUBLE", "clv": "DECIMAL(18,2)", "rfm_segment": "VARCHAR"}


def marts_build(con, *, scores: dict[str, str], score_table: str = "") -> None:
    """Copy the scores (when the models wrote any) and rebuild every mart.

    ``scores``: warehouse score column → the column of ``score_table`` holding it (the
    churn probability is ``churn_risk`` in ``analytics_customerscore``); columns not
    named are left empty."""
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
    for mart in MARTS:
        con.execute(f"CREATE OR REPLACE TABLE {mart.name} AS {mart.sql(DUCKDB)}")
