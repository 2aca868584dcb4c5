"""The customers a refresh changed, for the marts rebuilt per customer (``refresh.py``).

A refresh notes, as it loads each table, the customers whose rows it added, replaced
(the row's customer before and after), deleted or relinked, and the customers whose
``dim_customer`` versions it merged or deleted: one table of customer ids and the star
table that named each, ``wh_mart_keys``; a mart rebuilds the customers its own inputs
named (``keys_for``). The table is part of the warehouse file, not temporary: the
refresh commits its table steps first and builds the marts in a second transaction
(``load.py``), and a refresh stopped between the two leaves the customers (and
``wh_mart_whole``, the tables below) for the next one. Where a table's changed
customers cannot be named, the table is marked *whole* and every mart reading it is
rebuilt whole:

- a table loaded whole on a refresh (its columns changed, or no watermark yet while
  it holds rows; an empty table has no watermark either: its rows are all new, noted);
- a ``relink`` that moved rows (a merge: the rows' previous customer is not kept);
- a ``replace`` or ``segments`` table the per-customer marts do not read (never
  compared, so whole for whoever reads it); those they read (the billing incidents)
  are compared with their previous rows, ``EXCEPT`` both ways, and the customers of the
  rows that differ are noted.
"""

import re

from ..tables import Table

KEYS = "wh_mart_keys"
WHOLE = "wh_mart_whole"  # the tables ``whole`` names, kept until the marts are built


def has_customer(table: Table) -> bool:
    return re.search(r"(^|[\s,(])customer_id\s", table.columns) is not None


class Changes:
    """The customers a refresh changed (``wh_mart_keys``) and the tables whose changed
    customers are unknown (``whole``)."""

    def __init__(self, con, *, compared: frozenset[str] = frozenset()):
        self.con = con
        # ``replace`` tables compared with their previous rows (the marts' inputs).
        self.compared = compared
        self._marks: dict[str, str | None] = {}
        self._table = ""  # the table being loaded: the source of what ``note`` notes
        # What a refresh stopped before its marts left stays, for this one to build.
        con.execute(f"CREATE TABLE IF NOT EXISTS {KEYS} (customer_id BIGINT, source VARCHAR)")
        con.execute(f"CREATE TABLE IF NOT EXISTS {WHOLE} (table_name VARCHAR)")
        self.whole: set[str] = {
            r[0] for r in con.execute(f"SELECT table_name FROM {WHOLE}").fetchall()
        }

    # --- what the load calls ------------------------------------------------------------

    def note(self, select: str, params: list | None = None, *, source: str = "") -> None:
        """Note the ``customer_id`` column of ``select``'s rows (named by ``source``, by
        default the table being loaded)."""
        self.con.execute(
            f"INSERT INTO {KEYS} SELECT customer_id, ? FROM ({select}) "
            "WHERE customer_id IS NOT NULL",
            [source or self._table, *(params or [])],
        )

    def note_ids(self, ids) -> None:
        ids = [i for i in ids if i is not None]
        if ids:
            self.con.execute(
                f"INSERT INTO {KEYS} SELECT unnest(?::BIGINT[]), ?", [ids, self._table]
            )

    def note_logged(self, table: Table, log) -> None:
        """The customers of the rows the deletion log is about to delete."""
        if has_customer(table) and log.entries(table):
            where, params = log.matching(table)
            self.note(f"SELECT customer_id FROM {table.name} WHERE {where}", params)  # noqa: S608

    def before(self, table: Table, *, mark: str | None, rebuilt: bool) -> None:
        """Called before the table loads (``mark``: its watermark)."""
        self._table = table.name
        if not has_customer(table) and table.mode != "scd2":
            return
        loaded_whole = mark is None and table.mode in ("append", "updated", "children", "scd2")
        if loaded_whole and not rebuilt and self._empty(table):
            # Empty at the last load (no watermark then): every row is new, noted after.
            self._marks[table.name] = None
            return
        if rebuilt or loaded_whole:
            self.whole.add(table.name)
        elif table.mode in ("replace", "segments"):
            if table.name in self.compared:
                self.con.execute(
                    f"CREATE OR REPLACE TEMP TABLE wh_before AS SELECT * FROM {table.name}"
                )
            else:
                self.whole.add(table.name)
        self._marks[table.name] = mark

    def after(self, table: Table) -> None:
        """Called after the table loaded: its new rows (append) and, for a compared
        ``replace`` table, the rows that differ from before."""
        if table.name in self.whole or table.name not in self._marks:
            return
        mark = self._marks[table.name]
        if mark is None and table.mode in ("append", "updated", "children", "scd2"):
            self.note(f"SELECT customer_id FROM {table.name}")
        elif table.mode == "append" and mark is not None:
            self.note(f"SELECT customer_id FROM {table.name} WHERE {table.mark} > ?", [int(mark)])
        elif table.mode in ("replace", "segments") and table.name in self.compared:
            self.note(
                f"(SELECT * FROM wh_before EXCEPT SELECT * FROM {table.name}) UNION ALL "
                f"(SELECT * FROM {table.name} EXCEPT SELECT * FROM wh_before)"
            )
            self.con.execute("DROP TABLE wh_before")

    def _empty(self, table: Table) -> bool:
        return self.con.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0] == 0

    # --- what the marts read ------------------------------------------------------------

    def count(self) -> int:
        return self.con.execute(f"SELECT count(DISTINCT customer_id) FROM {KEYS}").fetchone()[0]

    def settle(self) -> None:
        """Each customer once per source (the marts' per-key statements read the table)."""
        self.con.execute(
            f"CREATE OR REPLACE TABLE {KEYS} AS SELECT DISTINCT customer_id, source FROM {KEYS}"
        )

    def keys_for(self, inputs: tuple[str, ...]) -> str:
        """The customers the tables ``inputs`` named, as a subquery (a mart rebuilds only
        those: an interaction does not move a customer's quotes)."""
        names = ", ".join(f"'{name}'" for name in inputs)
        return f"SELECT DISTINCT customer_id FROM {KEYS} WHERE source IN ({names})"  # noqa: S608

    def keep(self) -> None:
        """Before the table steps commit: the tables ``whole`` names, kept in the file
        with the customers, for a refresh stopped before its marts."""
        self.con.execute(f"DELETE FROM {WHOLE}")
        for name in sorted(self.whole):
            self.con.execute(f"INSERT INTO {WHOLE} VALUES (?)", [name])

    def clear(self) -> None:
        """The marts are built: nothing left for the next refresh."""
        self.con.execute(f"DELETE FROM {KEYS}")
        self.con.execute(f"DELETE FROM {WHOLE}")
