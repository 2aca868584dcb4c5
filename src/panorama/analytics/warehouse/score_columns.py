"""The scores the data-mining models write to the operational database, as the
warehouse's marketing mart reads them (``WAREHOUSE_SCORE_TABLE``)."""

import duckdb
from django.conf import settings

from .pushdown import source_has_table

# The warehouse's score columns and the source columns they are read from, first match
# wins: ``analytics_customerscore`` calls the churn probability ``churn_risk``; a score
# table of another system (``WAREHOUSE_SCORE_TABLE``) may call it ``churn_probability``.
SCORE_COLUMNS = {
    "churn_probability": ("churn_risk", "churn_probability"),
    "clv": ("clv",),
    "rfm_segment": ("rfm_segment",),
}


def scores_columns(con) -> dict[str, str]:
    """Warehouse score column → the source column it is read from, for those the
    source's score table (``WAREHOUSE_SCORE_TABLE``) has: the marketing mart uses those
    present and leaves the others empty. Empty when there is no such table."""
    name = settings.WAREHOUSE_SCORE_TABLE
    try:
        # The source asked whether the table exists, then only its columns described:
        # DuckDB's catalogue over the SQLite scanner reads every source table's details
        # (``pushdown.source_has_table``).
        if not source_has_table(con, name):
            return {}
        rows = con.execute(f'DESCRIBE SELECT * FROM src."{name}"').fetchall()
    except duckdb.Error:
        return {}
    present = {r[0] for r in rows}
    if "customer_id" not in present:
        return {}
    picked = {}
    for column, candidates in SCORE_COLUMNS.items():
        found = next((c for c in candidates if c in present), None)
        if found is not None:
            picked[column] = found
    return picked
