"""How a load builds the marts: whole, or per changed customer on a refresh.

A mart ``keyed`` by customer (one row per customer: profitability, churn and
prioritisation, offers) holds, for each customer, a row computed from that customer's
facts and current owner/team alone. So a refresh deletes the rows of the customers it
changed (``changes.py``) and inserts them computed again; the others stay as they were.
Rebuilt whole instead, on that refresh:

- when one of the mart's ``inputs`` changed in a way the refresh cannot name by
  customer (``Changes.whole``);
- a ``dated`` mart (days since the last order, interactions in the last 90 days) on a
  day other than its last build: every row moves with the date;
- when the mart's table is missing or its columns differ from its statement's (a file
  built by an earlier version).

A keyed mart rebuilds the customers its own ``inputs`` named (``Changes.keys_for``): a
new interaction does not move a customer's quotes.

The commercial activity, a group mart, is kept from a per-customer table and changed by
the changed customers' difference (``sums.py``). Every other mart aggregates over many
customers (per month, owner, team, channel...; a distinct count of customers inside
each group, a stage's totals): a group's figures need every customer in it, so those
are rebuilt whole on every load. See
docs/analytics.md (*How a refresh rebuilds the marts*) for the figures behind this.
"""

import time

from ..tables import main_columns
from . import sums
from .base import DUCKDB, Mart
from .changes import Changes

DATE_MARK = "marts_date"  # ``wh_watermark``: the day the dated marts were last built


def scores_compare(con, changes: Changes, table: str) -> None:
    """Note the customers whose scores the copy changed (``wh_score_before``: the copy
    before this load)."""
    before = [r[0] for r in con.execute("DESCRIBE wh_score_before").fetchall()]
    now = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    if before != now:
        changes.whole.add(table)
    else:
        changes.note(
            f"(SELECT * FROM wh_score_before EXCEPT SELECT * FROM {table}) UNION ALL "
            f"(SELECT * FROM {table} EXCEPT SELECT * FROM wh_score_before)",
            source=table,
        )
    con.execute("DROP TABLE wh_score_before")


def _same_columns(mart: Mart, present: dict[str, list[str]], con) -> bool:
    """The mart's table is there with its statement's columns (``present``: the file's
    tables and columns when the marts began, ``tables.main_columns``)."""
    if not present.get(mart.name):
        return False
    wanted = [c[0] for c in con.execute(f"SELECT * FROM ({mart.sql(DUCKDB)}) LIMIT 0").description]
    return present[mart.name] == wanted


def _today(con) -> str:
    return str(con.execute("SELECT current_date").fetchone()[0])


def _marked(present: dict[str, list[str]]) -> bool:
    """The warehouse's bookkeeping table is there (not when the marts are built over the
    Parquet export, as the engines' comparison does)."""
    return "wh_watermark" in present


def _last_day(con) -> str | None:
    row = con.execute("SELECT value FROM wh_watermark WHERE table_name = ?", [DATE_MARK]).fetchone()
    return row[0] if row else None


def per_customer(mart: Mart, changes: Changes | None, *, new_day: bool) -> bool:
    """Whether this load replaces only the changed customers' rows of ``mart``."""
    if changes is None or not mart.keyed:
        return False
    if mart.dated and new_day:
        return False
    return not changes.whole.intersection(mart.inputs)


def _sums_per_customer(con, changes: Changes | None, present: dict[str, list[str]]) -> bool:
    """Whether this load changes the activity mart by its changed customers' rows."""
    if changes is None or changes.whole.intersection(sums.INPUTS):
        return False
    return sums.usable(con, present)


def marts_load(
    con,
    marts: tuple[Mart, ...],
    *,
    changes: Changes | None,
    timings: dict[str, float] | None,
    done: list[str] | None = None,
    cpu: dict[str, float] | None = None,
) -> None:
    """Build each mart, whole or for the changed customers; ``done`` receives the names
    of those built per customer."""
    today = _today(con)
    # The file's tables and columns, read once (each mart's table is checked before it
    # is built, and built once).
    present = main_columns(con)
    marked = _marked(present)
    new_day = not marked or _last_day(con) != today
    if changes is not None:
        changes.settle()
    for mart in marts:
        started, used = time.perf_counter(), time.process_time()
        if mart.name == sums.NAME and marked:
            if _sums_per_customer(con, changes, present):
                assert changes is not None
                sums.refresh(con, changes.keys_for(sums.INPUTS))
                if done is not None:
                    done.append(mart.name)
            else:
                sums.build(con)
        elif per_customer(mart, changes, new_day=new_day) and _same_columns(mart, present, con):
            assert changes is not None
            keys = changes.keys_for(mart.inputs)
            con.execute(f"DELETE FROM {mart.name} WHERE customer_id IN ({keys})")
            con.execute(f"INSERT INTO {mart.name} {mart.sql(DUCKDB, keys)}")
            if done is not None:
                done.append(mart.name)
        else:
            con.execute(f"CREATE OR REPLACE TABLE {mart.name} AS {mart.sql(DUCKDB)}")
        if timings is not None:
            timings[mart.name] = round(time.perf_counter() - started, 3)
        if cpu is not None:
            cpu[mart.name] = round(time.process_time() - used, 3)
    if marked:
        con.execute("INSERT OR REPLACE INTO wh_watermark VALUES (?, ?)", [DATE_MARK, today])
