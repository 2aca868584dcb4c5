"""The warehouse table type and the small SQL helpers every table definition uses
(``schema.py`` and ``schema_marketing.py``)."""

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    name: str
    columns: str  # DuckDB column definitions
    select: str  # over the attached source ``src``; ``{where}`` is the change filter
    mode: str  # updated | append | children | replace | scd2 | static | segments
    source: str = ""  # the operational table whose ids decide deletions
    key: str = ""  # the warehouse column holding that id
    changed: str = ""  # the source expression compared with the watermark
    mark: str = ""  # the warehouse column whose maximum is the next watermark
    reads: tuple[str, ...] = field(default_factory=tuple)  # documented source columns
    # ``append`` tables whose loaded rows may still change one column: a statement run
    # on every refresh after the append (returns the rows it updated).
    relink: str = ""
    # Deletions read from the source's deletion log (``analytics_deletedrow``, written by
    # a trigger, see ``triggers.py``) instead of an anti-join over every source id.
    deletion_log: bool = False
    # Other sources whose deleted rows take rows of this table with them, as (source
    # table, warehouse column holding its id) pairs: an order deleted deletes its lines.
    deleted_with: tuple[tuple[str, str], ...] = ()
    # For a refresh on SQLite: (source table, condition in SQLite's SQL with ``?1`` for
    # the watermark) pairs; SQLite finds the changed rows by index instead of DuckDB
    # scanning the whole table (see ``pushdown.py``). The condition keeps at least every
    # row ``{where}`` keeps.
    pushdown: tuple[tuple[str, str], ...] = ()


def main_columns(con) -> dict[str, list[str]]:
    """Every table of the warehouse file (``main``) and its columns in order, in one read
    of DuckDB's catalogue. Any catalogue read also lists the attached source's tables
    (139 of them at SQLite): ``information_schema.columns`` for one table took 15 ms of
    CPU inside a transaction with 200 source tables attached, about what this read of
    them all takes; a load reads it once, not once per table and mart."""
    found: dict[str, list[str]] = {}
    for name, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' "
        "ORDER BY table_name, column_index"
    ).fetchall():
        found.setdefault(name, []).append(column)
    return found


TS = "TIMESTAMP"


def ts(expr: str) -> str:
    """A source timestamp as a UTC TIMESTAMP, whatever the vendor stored."""
    return f"CAST({expr} AS TIMESTAMP)"


def since(column: str = "updated_at") -> str:
    """The pushdown condition of a table read by its change column."""
    return f"{column} >= ?1"


NEWER = "id > ?1"  # the pushdown condition of an append-only table


def money(expr: str) -> str:
    return f"CAST({expr} AS DECIMAL(18,2))"


_PRIMARY_KEY = re.compile(r"(\w+)\s+\w+(?:\([^)]*\))?\s+PRIMARY KEY", re.IGNORECASE)


def without_primary_key(columns: str) -> tuple[str, str | None]:
    """A table's column definitions without its ``PRIMARY KEY`` clause, and the key
    column (``None`` when there is none). A build creates its tables keyless, loads
    them, then adds the key (``load.add_primary_key``): DuckDB builds the index in one
    pass instead of inserting every row into it as it loads (fact_interaction, 2M rows:
    6.9 CPU s with the key, 4.8 without and 0.7 to add it)."""
    found = _PRIMARY_KEY.search(columns)
    if found is None:
        return columns, None
    return columns[: found.end() - len("PRIMARY KEY")].rstrip() + columns[found.end() :], found[1]
