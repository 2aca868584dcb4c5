"""The warehouse jobs on DuckDB, over the warehouse or over a Parquet export: the
marts, RFM scores, basket counts and the models' features. ``spark.py`` has the same
jobs on Spark; the results are compared by ``results_equal``.

RFM: per customer with sales (CRM orders not draft or cancelled, and imported purchases:
``marts.base.SALES``), recency in days from the last one to ``as_of``, frequency (their
count) and monetary value (their total); each
scored 1 to 5 by quintile (``NTILE(5)``, ties broken by customer id so both engines
agree), recency reversed (recent is 5).

Basket counts: for every pair of items bought in the same basket, the baskets holding
both and their support (that count over the baskets that have lines). A basket is a CRM
order (its lines' SKUs) or an imported purchase (its lines' product names), as the
basket model in ``mining/basket.py`` counts them.

Model features (``features_sql``): per customer with sales up to ``as_of`` (that day
included), from his transactions, a transaction being his sales of one day added
(``mining/data.py``'s convention): the churn model's features as ``mining/churn.py``'s
``features_at`` computes them (``recency_days`` … ``overdue_ratio``) and the mean value
of his repeat transactions (``repeat_monetary``, the first left out), the one CLV input
they lack: the BG/NBD and Gamma-Gamma summaries in days are x = frequency − 1,
t_x = tenure_days − recency_days, T = tenure_days, m = repeat_monetary."""

import datetime
import math
from decimal import Decimal
from pathlib import Path

import duckdb

from . import marts, parquet
from .marts.base import DUCKDB, SALES


def rfm_sql(as_of: datetime.date) -> str:
    return f"""
    SELECT customer_id, recency_days, frequency, monetary,
           NTILE(5) OVER (ORDER BY recency_days DESC, customer_id) AS r_score,
           NTILE(5) OVER (ORDER BY frequency, customer_id) AS f_score,
           NTILE(5) OVER (ORDER BY monetary, customer_id) AS m_score
    FROM (
        SELECT customer_id,
               date_diff('day', MAX(date_key), DATE '{as_of.isoformat()}') AS recency_days,
               COUNT(*) AS frequency, CAST(SUM(total) AS DECIMAL(18,2)) AS monetary
        FROM {SALES} s GROUP BY customer_id
    )"""


# One basket key space: 'order:<id>' and 'purchase:<id>'.
BASKET_ITEMS = """
        SELECT DISTINCT 'order:' || CAST(order_id AS VARCHAR) AS basket, sku AS item
        FROM fact_order_line WHERE sku IS NOT NULL AND sku <> ''
        UNION
        SELECT DISTINCT 'purchase:' || CAST(purchase_id AS VARCHAR), product
        FROM fact_purchase_line WHERE product IS NOT NULL"""

BASKET_SQL = f"""
    WITH items AS ({BASKET_ITEMS}
    ), baskets AS (SELECT COUNT(DISTINCT basket) AS n FROM items)
    SELECT a.item AS product_a, b.item AS product_b,
           COUNT(DISTINCT a.basket) AS orders,
           COUNT(DISTINCT a.basket) / MAX(baskets.n) AS support
    FROM items a JOIN items b ON a.basket = b.basket AND a.item < b.item
    CROSS JOIN baskets
    GROUP BY a.item, b.item"""


def features_sql(as_of: datetime.date) -> str:
    day = f"DATE '{as_of.isoformat()}'"
    recent_from = f"DATE '{(as_of - datetime.timedelta(days=90)).isoformat()}'"
    return f"""
    WITH daily AS (
        SELECT customer_id, date_key AS day, SUM(total) AS amount
        FROM {SALES} s WHERE date_key <= {day} GROUP BY customer_id, date_key
    ), per AS (
        SELECT customer_id, COUNT(*) AS days,
               date_diff('day', MAX(day), {day}) AS recency,
               date_diff('day', MIN(day), {day}) AS tenure,
               date_diff('day', MIN(day), MAX(day)) AS span,
               CAST(SUM(amount) AS DOUBLE) AS spend,
               CAST(arg_min(amount, day) AS DOUBLE) AS first_amount,
               SUM(CASE WHEN day > {recent_from} THEN 1 ELSE 0 END) AS recent
        FROM daily GROUP BY customer_id
    ), gaps AS (
        SELECT *, CASE WHEN days > 1 THEN CAST(span AS DOUBLE) / (days - 1)
                       ELSE CAST(tenure + 1 AS DOUBLE) END AS gap
        FROM per
    )
    SELECT customer_id, recency AS recency_days, days AS frequency,
           GREATEST(spend, 0) AS monetary, GREATEST(spend, 0) / days AS average_order,
           tenure AS tenure_days, gap AS mean_gap_days, recent AS recent_90_days,
           LEAST(recency / GREATEST(gap, 1), 50.0) AS overdue_ratio,
           CASE WHEN days > 1 THEN (spend - first_amount) / (days - 1) ELSE 0.0 END
               AS repeat_monetary
    FROM gaps"""


def as_of_default(con) -> datetime.date:
    """The day after the last sale: the same reference for both engines."""
    last = con.execute(f"SELECT MAX(date_key) FROM {SALES} s").fetchone()[0]
    return (last or datetime.date.today()) + datetime.timedelta(days=1)


def over_parquet(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose tables are views over the Parquet files of ``folder``."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    con.execute("SET TimeZone = 'UTC'")
    for name in parquet.table_names():
        path = str(folder / f"{name}.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")
    return con


def duckdb_jobs(con, *, as_of: datetime.date | None = None) -> dict[str, list[tuple]]:
    """Every job's rows: the marts recomputed from the facts, RFM, basket counts and
    the models' features."""
    as_of = as_of or as_of_default(con)
    out: dict[str, list[tuple]] = {}
    for mart in marts.MARTS:
        out[mart.name] = con.execute(mart.sql(DUCKDB)).fetchall()
    out["rfm"] = con.execute(rfm_sql(as_of)).fetchall()
    out["basket"] = con.execute(BASKET_SQL).fetchall()
    out["features"] = con.execute(features_sql(as_of)).fetchall()
    return out


def _plain(value):
    if isinstance(value, Decimal | float):
        number = float(value)
        return None if math.isnan(number) else round(number, 4)
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def normalised(rows) -> list[tuple]:
    """Rows as comparable plain values, in one order (engines return any order)."""
    plain = [tuple(_plain(v) for v in row) for row in rows]
    return sorted(plain, key=lambda row: tuple((v is None, str(v)) for v in row))


def results_equal(left: dict[str, list], right: dict[str, list]) -> dict[str, bool]:
    return {name: normalised(left[name]) == normalised(right.get(name, [])) for name in left}
