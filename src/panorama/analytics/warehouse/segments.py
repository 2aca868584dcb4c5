"""Segment membership in the warehouse (``fact_segment_membership``), read whole on every
load as of the load's date.

A static list's members are rows of the operational database: the scanner reads them in
bulk (the table's select). A dynamic segment is a rule: it is evaluated by the marketing
app's own segment compiler (``marketing.selectors.segment_customers``, the query the
segment's page counts with), one query per segment whatever its size, as the system
(every customer that was not merged away), and its customer ids go to DuckDB as one
column (a numpy array DuckDB scans in place), never row by row. A segment whose rule no
longer validates (it names a custom field deleted since) is left out with a warning in
the log, as the ficha leaves it out."""

import datetime
import logging

from panorama.core.exceptions import ValidationFailed

from .tables import Table

logger = logging.getLogger(__name__)
MEMBERS_VIEW = "wh_segment_members"
CHUNK = 50_000


def memberships_load(con, table: Table, *, as_of: datetime.date, members: list) -> int:
    """Every current member of every list and segment (``table`` emptied before); returns
    the rows loaded. ``members``: ``dynamic_members()``, taken before the load by the
    process that holds Django's connection."""
    con.execute(f"INSERT INTO {table.name} {table.select.format(where='TRUE')}", [as_of])
    for key, ids in members:
        if ids is None:
            logger.warning("warehouse: segment %s left out, its rule no longer validates", key)
            continue
        _insert_members(con, table, key, ids, as_of)
    return con.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]


def dynamic_members() -> list:
    """(segment key, customer ids or None for a broken rule) per dynamic segment."""
    return list(_dynamic_members())


def _dynamic_members():
    import numpy

    from panorama.marketing import selectors

    segments = list(
        selectors.segments_all().select_related(None).order_by("pk").only("pk", "rules")
    )
    catalogue = selectors.segment_fields() if segments else {}
    for segment in segments:
        try:
            members = selectors.segment_customers(
                user=None, rules=segment.rules, catalogue=catalogue
            )
        except ValidationFailed:
            yield f"dynamic:{segment.pk}", None
            continue
        ids = members.order_by().values_list("pk", flat=True).iterator(chunk_size=CHUNK)
        yield f"dynamic:{segment.pk}", numpy.fromiter(ids, dtype=numpy.int64)


def _insert_members(con, table: Table, key: str, ids, as_of: datetime.date) -> None:
    if not len(ids):
        return
    # A numpy column DuckDB scans in place; a rule over a many-valued relation (two
    # addresses in the city) may name a customer twice: DISTINCT keeps one row.
    con.register(MEMBERS_VIEW, {"customer_id": ids})
    try:
        con.execute(
            f"""
            INSERT INTO {table.name}
            SELECT d.customer_key, d.customer_id, ?, CAST(? AS DATE)
            FROM (SELECT DISTINCT customer_id FROM {MEMBERS_VIEW}) m
            JOIN dim_customer d ON d.customer_id = m.customer_id AND d.is_current""",
            [key, as_of],
        )
    finally:
        con.unregister(MEMBERS_VIEW)
