"""A refresh's changed rows found by SQLite itself, with its indexes.

DuckDB's SQLite scanner (1.4.4) pushes no filter down: ``WHERE updated_at >= ?`` over
``src.sales_order`` reads every row of the table (in ROWID slices) and filters them in
DuckDB. For a refresh, which wants the few rows past its watermark, each table's
``Table.pushdown`` names the source tables to narrow and the condition, in SQLite's
SQL, that SQLite runs through ``sqlite_query`` on the same attached file (the
scanner's own SQLite library, so the child process's one-library rule holds, see
``child.py``), using the index on ``updated_at`` (or the primary key for the append
tables' ids). The rows land in a temporary table that replaces ``src.<table>`` in the
table's select; the select's own ``WHERE`` still decides which rows load.

The condition must keep every row the select's filter keeps (more is harmless). It
compares the stored text with the watermark's text: Django stores a datetime as
``YYYY-MM-DD HH:MM:SS[.ffffff]`` in UTC (``+00:00`` after it when written through a
raw cursor), so text order is time order, and a row at the watermark's instant is kept.

Types: ``sqlite_query`` returns every column as VARCHAR, so each is cast back to the
type the scanner gives the column (read with ``DESCRIBE``, which asks SQLite for the
declared types only). A REAL is sent as text with 17 significant digits (SQLite's own
text has 15, which does not always give the same double back). A table with a column
of another type than those below is read through the scanner as before.

PostgreSQL needs none of this: the postgres scanner sends the filter to the server
(``docs/analytics.md``, "What a refresh reads").
"""

from .tables import Table

# Scanner types whose text round-trips through a VARCHAR cast unchanged.
CASTABLE = {"BIGINT", "INTEGER", "DOUBLE", "VARCHAR", "TIMESTAMP", "DATE", "TIME", "BOOLEAN"}
REAL = {"DOUBLE"}


def source_vendor(con) -> str:
    """``sqlite`` or ``postgres``: what ``src`` is attached as."""
    row = con.execute("SELECT type FROM duckdb_databases() WHERE database_name = 'src'").fetchone()
    return row[0] if row else ""


def narrowed_select(con, table: Table, mark, *, enabled: bool = True) -> tuple[str, list[str]]:
    """The table's select (``{where}`` still to fill) reading, for each source table of
    ``table.pushdown``, only the rows SQLite finds past ``mark``; and the temporary
    tables made (to drop after). The select unchanged when there is nothing to narrow
    (a build, no pushdown, PostgreSQL, a column of an unexpected type)."""
    if not enabled or mark is None or not table.pushdown or source_vendor(con) != "sqlite":
        return table.select, []
    plans = []
    for source, condition in table.pushdown:
        columns = con.execute(f'DESCRIBE SELECT * FROM src."{source}"').fetchall()
        if any(c[1] not in CASTABLE for c in columns):
            return table.select, []
        plans.append((source, condition, [(c[0], c[1]) for c in columns]))
    select, made = table.select, []
    for source, condition, columns in plans:
        temp = f"pushdown_{source}"
        _stage(con, temp, source, condition, columns, str(mark))
        made.append(temp)
        select = select.replace(f"src.{source} ", f"{temp} ")
    return select, made


def drop(con, made: list[str]) -> None:
    for temp in made:
        con.execute(f"DROP TABLE IF EXISTS {temp}")


def _stage(con, temp: str, source: str, condition: str, columns, mark: str) -> None:
    inner = ", ".join(_sqlite_column(name, kind) for name, kind in columns)
    query = f'SELECT {inner} FROM "{source}" WHERE {condition}'
    outer = ", ".join(f'CAST("{name}" AS {kind}) AS "{name}"' for name, kind in columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {temp} AS SELECT {outer} "  # noqa: S608 - our names
        "FROM sqlite_query('src', ?, params = row(?))",
        [query, mark if isinstance(mark, int) else str(mark)],
    )


def _sqlite_column(name: str, kind: str) -> str:
    quoted = f'"{name}"'
    if kind in REAL:
        return (
            f"CASE WHEN typeof({quoted}) = 'real' THEN printf('%!.17g', {quoted}) "
            f"ELSE {quoted} END AS {quoted}"
        )
    return quoted
