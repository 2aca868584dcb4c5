"""A group mart kept up to date per changed customer: the commercial activity.

``mart_commercial_activity`` has one row per month, owner/team, channel and direction,
with the interactions, their seconds and the distinct customers contacted. A changed
customer changes groups whose other customers' facts would have to be read again to
count distinct customers, so the mart cannot be rebuilt "for the changed customers"
the way the per-customer marts are. It is rebuilt from a per-customer table instead,
``wh_activity_customer`` (in the warehouse file, not exported): each customer's
interactions and seconds per month, channel and direction, with the owner/team he had
when the row was made. The mart is that table summed per group, one row counting one
customer; so a refresh

1. takes the changed customers' rows out of the mart (subtracts their interactions,
   seconds and one customer per row from their groups, under the owner/team they had),
2. makes those customers' rows again from ``fact_interaction`` and ``dim_customer``,
3. adds them to the mart (groups that appear are inserted, groups left with no customer
   deleted),

reading only the changed customers' interactions. The customers are those the refresh
noted in ``fact_interaction`` (appended, deleted) and ``dim_customer`` (a new owner or
team moves every month of his between two groups; an erased customer leaves his).
Built whole (the per-customer table and the mart from it) by a build, and by a refresh
when either table is missing or its columns differ, or when an input changed in a way
the refresh cannot name by customer. Over the Parquet export (the engines' comparison)
the mart is its plain statement, the one Spark runs.
"""

from .base import CURRENT, DUCKDB, among

NAME = "mart_commercial_activity"
BASE = "wh_activity_customer"
INPUTS = ("fact_interaction", "dim_customer")
GROUP = ("month", "owner_id", "team_id", "channel", "direction")
_DELTA = "wh_activity_delta"


def base_sql(keys: str = "") -> str:
    """Per customer, month, channel and direction: interactions and seconds, with the
    customer's current owner and team."""
    return f"""
    SELECT i.customer_id, {DUCKDB.month("i.occurred_at")} AS month, c.owner_id, c.team_id,
           i.channel, i.direction, COUNT(*) AS interactions,
           CAST(SUM(COALESCE(i.duration_seconds, 0)) AS BIGINT) AS seconds
    FROM fact_interaction i JOIN {CURRENT} c ON c.customer_id = i.customer_id
    WHERE {among(keys, "i.customer_id")}
    GROUP BY 1, 2, 3, 4, 5, 6"""


# The mart from the per-customer table: the same columns and types as its statement.
MART_FROM_BASE = f"""
    SELECT month, owner_id, team_id, channel, direction,
           CAST(SUM(interactions) AS BIGINT) AS interactions, COUNT(*) AS customers,
           CAST(SUM(seconds) AS BIGINT) AS seconds
    FROM {BASE} GROUP BY 1, 2, 3, 4, 5"""


def usable(con, present: dict[str, list[str]]) -> bool:
    """Both tables are there with the columns this version makes (``present``: the
    file's tables and columns, ``tables.main_columns``)."""
    base = [c[0] for c in con.execute(f"SELECT * FROM ({base_sql()}) LIMIT 0").description]
    mart = [c[0] for c in con.execute(f"SELECT * FROM ({MART_FROM_BASE}) LIMIT 0").description]
    return present.get(BASE) == base and present.get(NAME) == mart


def build(con) -> None:
    """The per-customer table whole, and the mart from it."""
    con.execute(f"CREATE OR REPLACE TABLE {BASE} AS {base_sql()}")
    con.execute(f"CREATE OR REPLACE TABLE {NAME} AS {MART_FROM_BASE}")


def refresh(con, keys: str) -> None:
    """Replace the rows of the customers ``keys`` selects and apply the difference to the
    mart's groups."""
    group = ", ".join(GROUP)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_DELTA} AS SELECT {group}, -interactions AS "
        f"interactions, -1 AS customers, -seconds AS seconds FROM {BASE} "
        f"WHERE customer_id IN ({keys})"
    )
    con.execute(f"DELETE FROM {BASE} WHERE customer_id IN ({keys})")
    con.execute(f"INSERT INTO {BASE} {base_sql(keys)}")
    con.execute(
        f"INSERT INTO {_DELTA} SELECT {group}, interactions, 1, seconds FROM {BASE} "
        f"WHERE customer_id IN ({keys})"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_DELTA} AS SELECT {group}, "
        "CAST(SUM(interactions) AS BIGINT) AS interactions, "
        "CAST(SUM(customers) AS BIGINT) AS customers, CAST(SUM(seconds) AS BIGINT) AS seconds "
        f"FROM {_DELTA} GROUP BY ALL "
        "HAVING SUM(interactions) <> 0 OR SUM(customers) <> 0 OR SUM(seconds) <> 0"
    )
    same = " AND ".join(f"m.{c} IS NOT DISTINCT FROM d.{c}" for c in GROUP)
    con.execute(
        f"UPDATE {NAME} m SET interactions = m.interactions + d.interactions, "
        "customers = m.customers + d.customers, seconds = m.seconds + d.seconds "
        f"FROM {_DELTA} d WHERE {same}"
    )
    con.execute(
        f"INSERT INTO {NAME} SELECT d.* FROM {_DELTA} d "
        f"WHERE NOT EXISTS (SELECT 1 FROM {NAME} m WHERE {same})"
    )
    con.execute(f"DELETE FROM {NAME} WHERE customers = 0")
    con.execute(f"DROP TABLE {_DELTA}")
