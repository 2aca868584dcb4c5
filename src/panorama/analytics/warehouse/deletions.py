"""Deletions a refresh reads from the source's deletion log (``triggers.py``) instead of
an anti-join over every source id."""

from dataclasses import dataclass

from .tables import Table

LOG_TABLE = "analytics_deletedrow"


@dataclass
class DeletionLog:
    """The source's deletion log (``triggers.py``) up to this load's mark: which ids of
    a table to delete, without reading the table's ids.

    Every entry up to the mark is read, not only those after the previous load's mark:
    on PostgreSQL an entry's id is taken when the deleting transaction writes it, and a
    transaction that commits after a load read the mark may have taken a lower id than
    that mark. So a load prunes only what the load before it had seen (``prune_upto``,
    the previous mark) and each entry is read by at least two refreshes (deleting an
    absent row again is harmless); the log holds about two loads' deletions.

    Not usable for a table (the anti-join instead) when the source has no log, when the
    warehouse has no mark yet (a file built before the log existed), or when the log
    says the table's trigger was missing for a while (an entry without ``row_id``)."""

    con: object
    previous: int | None
    mark: int | None
    resync: frozenset[str] = frozenset()

    WATERMARK = "deletion_log"

    @classmethod
    def read(cls, con, *, full: bool) -> "DeletionLog":
        present = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_catalog = 'src' AND table_name = ?",
            [LOG_TABLE],
        ).fetchone()[0]
        if not present:
            return cls(con, None, None)
        # Read before any table: a row deleted while the tables load is in a later entry.
        mark = con.execute(f"SELECT COALESCE(max(id), 0) FROM src.{LOG_TABLE}").fetchone()[0]
        if full:
            return cls(con, None, mark)
        row = con.execute(
            "SELECT value FROM wh_watermark WHERE table_name = ?", [cls.WATERMARK]
        ).fetchone()
        previous = int(row[0]) if row else None
        resync: frozenset[str] = frozenset()
        if previous is not None:
            resync = frozenset(
                r[0]
                for r in con.execute(
                    f"SELECT DISTINCT table_name FROM src.{LOG_TABLE} "  # noqa: S608
                    "WHERE row_id IS NULL AND id > ? AND id <= ?",
                    [previous, mark],
                ).fetchall()
            )
        return cls(con, previous, mark, resync)

    def usable(self, table: Table) -> bool:
        return (
            self.previous is not None and self.mark is not None and table.source not in self.resync
        )

    @property
    def prune_upto(self) -> int | None:
        """Entries the previous load read: pruned once this load has succeeded."""
        return self.previous

    def _ids(self) -> str:
        return (
            f"SELECT row_id FROM src.{LOG_TABLE} "  # noqa: S608
            "WHERE table_name = ? AND id <= ? AND row_id IS NOT NULL"
        )

    def entries(self, table: Table) -> int:
        return self.con.execute(  # type: ignore[attr-defined]
            f"SELECT count(*) FROM ({self._ids()})", [table.source, self.mark]
        ).fetchone()[0]

    def delete(self, table: Table) -> int:
        return self.con.execute(  # type: ignore[attr-defined]
            f"DELETE FROM {table.name} WHERE {table.key} IN ({self._ids()})",
            [table.source, self.mark],
        ).fetchone()[0]

    def save(self) -> None:
        if self.mark is not None:
            self.con.execute(  # type: ignore[attr-defined]
                "INSERT OR REPLACE INTO wh_watermark VALUES (?, ?)",
                [self.WATERMARK, str(self.mark)],
            )
