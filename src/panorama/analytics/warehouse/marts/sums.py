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
noted in ``fact_interaction`` (an interaction deleted) and ``dim_customer`` as moved (a
new owner or team moves every month of his between two groups; an erased customer
leaves his; a new status moves nothing). The interactions appended for the other
customers are added to their rows instead (``_add_appended``), without reading their
customers' other interactions.
Built whole (the per-customer table and the mart from it) by a build, and by a refresh
when either table is missing or its columns differ, or when an input changed in a way
the refresh cannot name by customer. Over the Parquet export (the engines' comparison)
the mart is its plain statement, the one Spark runs.
"""

from ..tables import main_columns
from .base import CURRENT, DUCKDB, among
from .changes import MOVED

NAME = "mart_commercial_activity"
BASE = "wh_activity_customer"
INPUTS = ("fact_interaction", "dim_customer")
# The notes whose customers' rows a refresh makes again (``changes.py``): an interaction
# deleted, an owner or team changed (a new or erased customer). The others' appended
# interactions are added to their rows.
REMADE = ("fact_interaction", "dim_customer" + MOVED)
GROUP = ("month", "owner_id", "team_id", "channel", "direction")
_DELTA = "wh_activity_delta"


def base_sql(keys: str = "", where: str = "TRUE") -> str:
    """Per customer, month, channel and direction: interactions and seconds, with the
    customer's current owner and team (of the interactions ``i`` that ``where`` keeps)."""
    return f"""
    SELECT i.customer_id, {DUCKDB.month("i.occurred_at")} AS month, c.owner_id, c.team_id,
           i.channel, i.direction, COUNT(*) AS interactions,
           CAST(SUM(COALESCE(i.duration_seconds, 0)) AS BIGINT) AS seconds
    FROM fact_interaction i JOIN {CURRENT} c ON c.customer_id = i.customer_id
    WHERE {among(keys, "i.customer_id")} AND {where}
    GROUP BY 1, 2, 3, 4, 5, 6"""


# The mart from the per-customer table: the same columns and types as its statement.
MART_FROM_BASE = f"""
    SELECT month, owner_id, team_id, channel, direction,
           CAST(SUM(interactions) AS BIGINT) AS interactions, COUNT(*) AS customers,
           CAST(SUM(seconds) AS BIGINT) AS seconds
    FROM {BASE} GROUP BY 1, 2, 3, 4, 5"""


def usable(con, present: dict[str, list[str]] | None = None) -> bool:
    """Both tables are there with the columns this version makes (``present``: the
    file's tables and columns, ``tables.main_columns``, read here when not given)."""
    if present is None:
        present = main_columns(con)
    base = [c[0] for c in con.execute(f"SELECT * FROM ({base_sql()}) LIMIT 0").description]
    mart = [c[0] for c in con.execute(f"SELECT * FROM ({MART_FROM_BASE}) LIMIT 0").description]
    return present.get(BASE) == base and present.get(NAME) == mart


def build(con) -> None:
    """The per-customer table whole, and the mart from it."""
    con.execute(f"CREATE OR REPLACE TABLE {BASE} AS {base_sql()}")
    con.execute(f"CREATE OR REPLACE TABLE {NAME} AS {MART_FROM_BASE}")


def refresh(con, keys: str, appended_after: int | None = None) -> None:
    """Replace the rows of the customers ``keys`` selects, add the interactions appended
    past ``appended_after`` of the other customers to their rows, and apply the
    difference to the mart's groups."""
    group = ", ".join(GROUP)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_DELTA} (month DATE, owner_id BIGINT, team_id BIGINT, "
        "channel VARCHAR, direction VARCHAR, interactions BIGINT, customers BIGINT, "
        "seconds BIGINT)"
    )
    if appended_after is not None:
        _add_appended(con, keys, appended_after)
    # No customer to make again (no interaction deleted, no owner changed): four scans
    # of the per-customer table and the interactions spared.
    if con.execute(f"SELECT count(*) FROM ({keys} LIMIT 1)").fetchone()[0]:
        con.execute(
            f"INSERT INTO {_DELTA} SELECT {group}, -interactions, -1, -seconds FROM {BASE} "
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


_ADDED = "wh_activity_added"
_ROW = ("customer_id", "month", "owner_id", "team_id", "channel", "direction")


def _add_appended(con, keys: str, after: int) -> None:
    """The interactions appended past ``after`` of the customers ``keys`` does not select
    (whose owner and team did not change, and who lost no interaction): grouped like the
    per-customer rows, added to the row they fall in (one more customer in the mart's
    group when the row is new), into ``_DELTA`` and the per-customer table. Their
    customers' other interactions are not read. Their rows carry their current owner and
    team: a change of either names the customer in ``keys`` (``dim_customer``)."""
    appended = f"i.interaction_id > {int(after)} AND i.customer_id NOT IN ({keys})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_ADDED} AS {base_sql(where=appended)}")
    same = " AND ".join(f"b.{c} IS NOT DISTINCT FROM a.{c}" for c in _ROW)
    group = ", ".join(f"a.{c}" for c in GROUP)
    con.execute(
        f"INSERT INTO {_DELTA} SELECT {group}, a.interactions, "
        f"CASE WHEN EXISTS (SELECT 1 FROM {BASE} b WHERE {same}) THEN 0 ELSE 1 END, "
        f"a.seconds FROM {_ADDED} a"
    )
    con.execute(
        f"UPDATE {BASE} b SET interactions = b.interactions + a.interactions, "
        f"seconds = b.seconds + a.seconds FROM {_ADDED} a WHERE {same}"
    )
    con.execute(
        f"INSERT INTO {BASE} SELECT a.* FROM {_ADDED} a "
        f"WHERE NOT EXISTS (SELECT 1 FROM {BASE} b WHERE {same})"
    )
    con.execute(f"DROP TABLE {_ADDED}")
