"""One table's step of a warehouse load (``load.py`` runs them in order): its watermark,
the changed rows staged and replaced by key (or appended, or the static and replaced
tables), deletions from the deletion log or the anti-join, and the customer dimension's
history (``customers_merge``)."""

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings

from . import marts, pushdown, schema, segments
from .deletions import DeletionLog
from .schema import Table

if TYPE_CHECKING:
    from .load import Job


def watermark(con, table: Table) -> str | None:
    row = con.execute(
        "SELECT value FROM wh_watermark WHERE table_name = ?", [table.name]
    ).fetchone()
    return row[0] if row else None


def _set_watermark(con, table: Table, value) -> None:
    if value is None:
        return
    con.execute("INSERT OR REPLACE INTO wh_watermark VALUES (?, ?)", [table.name, str(value)])


def _narrowed(con, table: Table, mark, narrowed: list[str] | None) -> tuple[str, list[str]]:
    """The table's select, reading only the rows SQLite finds past ``mark`` on a
    refresh of a SQLite source (``pushdown.py``), and the temporary tables to drop."""
    select, made = pushdown.narrowed_select(con, table, mark, enabled=settings.WAREHOUSE_PUSHDOWN)
    if made and narrowed is not None:
        narrowed.append(table.name)
    return select, made


def _insert(
    con, table: Table, where: str, params: list | None = None, mark=None, narrowed=None
) -> int:
    select, made = _narrowed(con, table, mark, narrowed)
    # The rows inserted, as the INSERT counts them (no count of the table around it).
    inserted = con.execute(
        f"INSERT INTO {table.name} {select.format(where=where)}", params or []
    ).fetchone()[0]
    pushdown.drop(con, made)
    return inserted


def load_table(
    con,
    table: Table,
    job: "Job",
    *,
    full: bool,
    log: DeletionLog | None = None,
    same: list[str] | None = None,
    narrowed: list[str] | None = None,
    changes: "marts.Changes | None" = None,
) -> tuple[int, int]:
    """Rows loaded (or reloaded) and rows deleted for one table; ``changes`` notes the
    customers whose rows changed (a refresh, for the marts)."""
    if table.mode == "static":
        return _static(con, table), 0
    if table.mode == "replace":
        deleted = 0 if full else con.execute(f"DELETE FROM {table.name}").fetchone()[0]
        return _insert(con, table, "TRUE"), deleted
    if table.mode == "scd2":
        return customers_merge(con, table, full=full, narrowed=narrowed, log=log, changes=changes)
    if table.mode == "segments":
        deleted = 0 if full else con.execute(f"DELETE FROM {table.name}").fetchone()[0]
        return segments.memberships_load(con, table, as_of=job.as_of, members=job.members), deleted
    mark = None if full else watermark(con, table)
    alias_where = "TRUE" if mark is None else f"{table.changed} >= ?"
    params = [] if mark is None else [_typed(table, mark)]
    deleted = 0
    if table.mode == "append":
        if mark is not None:
            alias_where = f"{table.changed} > ?"
        changed = _insert(
            con, table, alias_where, params, mark=params[0] if params else None, narrowed=narrowed
        )
        if table.relink and mark is not None:
            relinked = con.execute(table.relink).fetchone()[0]
            changed += relinked
            if relinked and changes is not None:  # their previous customers are unknown
                changes.whole.add(table.name)
        new_mark = con.execute(f"SELECT max({table.mark}) FROM {table.name}").fetchone()[0]
    elif full:
        # updated / children on a build: the table is new and empty, nothing to replace;
        # the rows go straight in (staging them first copied every row twice: a third
        # to nearly half of these tables' time).
        changed = _insert(con, table, alias_where)
        new_mark = con.execute(f"SELECT max({table.mark}) FROM {table.name}").fetchone()[0]
    else:
        # updated / children: stage the changed rows, replace them by key.
        stage = f"stage_{table.name}"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {stage} AS SELECT * FROM {table.name} LIMIT 0")
        select, made = _narrowed(con, table, mark, narrowed)
        con.execute(f"INSERT INTO {stage} {select.format(where=alias_where)}", params)
        pushdown.drop(con, made)
        by = "order_id" if table.mode == "children" else table.key
        old = f"SELECT * FROM {table.name} WHERE {by} IN (SELECT {by} FROM {stage})"
        if same is not None and not full and _identical(con, table, stage, old, params):
            same.append(table.name)
        _replace(con, table, stage, by, changes)
        changed = con.execute(f"SELECT count(*) FROM {stage}").fetchone()[0]
        con.execute(f"DROP TABLE {stage}")
        new_mark = con.execute(f"SELECT max({table.mark}) FROM {table.name}").fetchone()[0]
    if not full and table.source:
        if table.deletion_log and log is not None and log.usable(table):
            if changes is not None:
                changes.note_logged(table, log)
            deleted = log.delete(table)
        else:
            deleted = _delete_gone(con, table, changes)
    _set_watermark(con, table, new_mark if new_mark is not None else mark)
    return changed, deleted


def _replace(con, table: Table, stage: str, by: str, changes) -> None:
    """The rows of the keys ``by`` the stage holds replaced by the staged rows (replaced,
    not deleted: not counted); ``changes`` notes the rows' customers before and after
    (an order moved to another customer counts for both). The customers before are read
    apart from the DELETE: ``DELETE ... RETURNING customer_id`` took 0.35–0.39 CPU s on
    2M rows for 1% of them, the read and the plain DELETE 0.12–0.13 together."""
    if changes is not None and marts.has_customer(table):
        old = f"SELECT customer_id FROM {table.name} WHERE {by} IN (SELECT {by} FROM {stage})"
        changes.note(f"{old} UNION ALL SELECT customer_id FROM {stage}")
    con.execute(f"DELETE FROM {table.name} WHERE {by} IN (SELECT {by} FROM {stage})")
    con.execute(f"INSERT INTO {table.name} SELECT * FROM {stage}")


def _identical(con, table: Table, stage: str, old: str, params: list) -> bool:
    """The staged rows are exactly the rows they replace (none new, none dropped).

    Every row the warehouse holds has its ``mark`` at or below the watermark (the
    watermark is their maximum): a staged row past it (changed since the last load)
    differs from any of them, and that answers without comparing the rows."""
    if params and _past_mark(con, table, stage, params[0]):
        return False
    differs = con.execute(
        f"SELECT count(*) FROM ((SELECT * FROM {stage} EXCEPT {old}) "
        f"UNION ALL ({old} EXCEPT SELECT * FROM {stage}))"
    ).fetchone()[0]
    return differs == 0


def _past_mark(con, table: Table, stage: str, mark) -> bool:
    """Some staged row's ``mark`` column is past the watermark ``mark``."""
    return (
        con.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {stage} WHERE {table.mark} > ? LIMIT 1)",
            [mark],
        ).fetchone()[0]
        > 0
    )


def _typed(table: Table, mark: str):
    if table.mode == "append":
        return int(mark)
    return datetime.fromisoformat(mark)


def _delete_gone(con, table: Table, changes=None) -> int:
    """Rows whose source row is gone (erasure, a cascade, a merge undo)."""
    delete = (
        f"DELETE FROM {table.name} WHERE {table.key} NOT IN (SELECT id FROM src.{table.source})"
    )
    if changes is None or not marts.has_customer(table):
        return con.execute(delete).fetchone()[0]
    gone = con.execute(f"{delete} RETURNING customer_id").fetchall()
    changes.note_ids(r[0] for r in gone)
    return len(gone)


def columns_follow(con, table: Table, present: list[str]) -> bool:
    """A refresh of a file built before a table gained columns (``fact_holding``'s
    ``updated_at``): the table is dropped and, its watermark gone, loaded whole.
    ``present``: the table's columns now (``tables.main_columns``, read once for every
    table; empty when it does not exist)."""
    if not present:
        return False
    con.execute(f"CREATE OR REPLACE TEMP TABLE wh_probe ({table.columns})")
    wanted = [r[0] for r in con.execute("DESCRIBE wh_probe").fetchall()]
    con.execute("DROP TABLE wh_probe")
    if present != wanted:
        con.execute(f"DROP TABLE {table.name}")
        con.execute("DELETE FROM wh_watermark WHERE table_name = ?", [table.name])
        return True
    return False


def _static(con, table: Table) -> int:
    con.execute(f"DELETE FROM {table.name}")
    if table.name == "dim_channel":
        con.executemany(
            "INSERT INTO dim_channel VALUES (?, ?, ?)",
            [
                (code, position, code in schema.DIGITAL_CHANNELS)
                for position, code in enumerate(schema.CHANNELS)
            ],
        )
        return len(schema.CHANNELS)
    con.execute(
        """
        INSERT INTO dim_date
        SELECT d::DATE, year(d), quarter(d), month(d), date_trunc('month', d)::DATE,
               weekofyear(d), isodow(d), isodow(d) >= 6
        FROM range(DATE '2000-01-01', (current_date + INTERVAL 5 YEAR)::DATE,
                   INTERVAL 1 DAY) t(d)
        """
    )
    return con.execute("SELECT count(*) FROM dim_date").fetchone()[0]


# --- the customer dimension, type 2 ----------------------------------------------------


def customers_merge(
    con,
    table: Table,
    *,
    full: bool,
    narrowed: list[str] | None = None,
    log: DeletionLog | None = None,
    changes: "marts.Changes | None" = None,
) -> tuple[int, int]:
    """Merge the changed customers into ``dim_customer``.

    Personal data (``SCD1_ATTRIBUTES``) is overwritten in every version of the customer:
    a rectification must not survive in history. A change of any ``SCD2_ATTRIBUTES``
    closes the current version at the source's ``updated_at`` and opens a new one.
    Customers gone from the source lose every version (the ids the deletion log holds,
    or an anti-join on every id when the log is not usable)."""
    values = ", ".join(f"s.{name}" for name in schema.SCD2_ATTRIBUTES + schema.SCD1_ATTRIBUTES)
    if full:
        # A build: the dimension is new and empty, every customer's one version opens at
        # his creation (what the merge below gives an empty dimension, without staging).
        changed = con.execute(
            f"INSERT INTO dim_customer SELECT nextval('customer_key_seq'), s.customer_id, "
            f"s.created_at, {schema.END_OF_TIME}, TRUE, {values}, s.created_at, s.updated_at "
            f"FROM ({table.select.format(where='TRUE')}) s"
        ).fetchone()[0]
        new_mark = con.execute("SELECT max(updated_at) FROM dim_customer").fetchone()[0]
        _set_watermark(con, table, new_mark)
        return changed, 0
    mark = watermark(con, table)
    where = "TRUE" if mark is None else f"{table.changed} >= ?"
    params = [] if mark is None else [datetime.fromisoformat(mark)]
    select, made = _narrowed(con, table, mark, narrowed)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE stage_customer AS {select.format(where=where)}", params
    )
    pushdown.drop(con, made)
    changed = con.execute("SELECT count(*) FROM stage_customer").fetchone()[0]
    if changes is not None:
        changes.note("SELECT customer_id FROM stage_customer")
    personal = ", ".join(f"{name} = s.{name}" for name in schema.SCD1_ATTRIBUTES)
    con.execute(
        f"UPDATE dim_customer d SET {personal}, updated_at = s.updated_at "
        "FROM stage_customer s WHERE d.customer_id = s.customer_id"
    )
    differs = " OR ".join(f"d.{name} IS DISTINCT FROM s.{name}" for name in schema.SCD2_ATTRIBUTES)
    con.execute(
        "UPDATE dim_customer d SET valid_to = s.updated_at, is_current = FALSE "
        "FROM stage_customer s WHERE d.customer_id = s.customer_id AND d.is_current "
        f"AND ({differs})"
    )
    con.execute(
        f"""
        INSERT INTO dim_customer
        SELECT nextval('customer_key_seq'), s.customer_id,
               CASE WHEN EXISTS (SELECT 1 FROM dim_customer h WHERE h.customer_id = s.customer_id)
                    THEN s.updated_at ELSE s.created_at END,
               {schema.END_OF_TIME}, TRUE,
               {values}, s.created_at, s.updated_at
        FROM stage_customer s
        WHERE NOT EXISTS (SELECT 1 FROM dim_customer d
                          WHERE d.customer_id = s.customer_id AND d.is_current)
        """
    )
    if table.deletion_log and log is not None and log.usable(table):
        if changes is not None:
            changes.note_logged(table, log)
        deleted = log.delete(table)  # every version: customer_id is the key
    else:
        deleted = _delete_gone(con, table, changes)
    new_mark = con.execute("SELECT max(updated_at) FROM dim_customer").fetchone()[0]
    _set_watermark(con, table, new_mark)
    con.execute("DROP TABLE stage_customer")
    return changed, deleted
