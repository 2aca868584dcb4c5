"""Deletions a refresh reads from the source's deletion log (``triggers.py``) instead of
an anti-join over every source id."""

from dataclasses import dataclass, field

from .pushdown import source_has_table
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

    The entries up to the mark are read from the source once per refresh, into a
    temporary table every table's deletions then read (one scan of the log, not one per
    table).

    Not usable for a table (the anti-join instead) when the source has no log, when the
    warehouse has no mark yet (a file built before the log existed), or when the log
    says the trigger of the table's source (or of a source in ``deleted_with``) was
    missing for a while (an entry without ``row_id``)."""

    con: object
    previous: int | None
    mark: int | None
    resync: frozenset[str] = frozenset()
    # Entries with a row id per source table (read once): a table none of whose sources
    # has one deletes nothing, and its DELETE (a scan of the table) is not run.
    counts: dict[str, int] = field(default_factory=dict)

    WATERMARK = "deletion_log"
    READ = "wh_deleted_log"  # the temporary copy of the entries up to the mark

    @classmethod
    def read(cls, con, *, full: bool) -> "DeletionLog":
        if not source_has_table(con, LOG_TABLE):
            return cls(con, None, None)
        # Read before any table: a row deleted while the tables load is in a later entry.
        mark = con.execute(f"SELECT COALESCE(max(id), 0) FROM src.{LOG_TABLE}").fetchone()[0]
        if full:
            return cls(con, None, mark)
        row = con.execute(
            "SELECT value FROM wh_watermark WHERE table_name = ?", [cls.WATERMARK]
        ).fetchone()
        previous = int(row[0]) if row else None
        if previous is None:
            return cls(con, None, mark)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {cls.READ} AS "  # noqa: S608
            f"SELECT id, table_name, row_id FROM src.{LOG_TABLE} WHERE id <= ?",
            [mark],
        )
        resync = frozenset(
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT table_name FROM {cls.READ} "  # noqa: S608
                "WHERE row_id IS NULL AND id > ?",
                [previous],
            ).fetchall()
        )
        counts = dict(
            con.execute(
                f"SELECT table_name, count(*) FROM {cls.READ} "  # noqa: S608
                "WHERE row_id IS NOT NULL GROUP BY table_name"
            ).fetchall()
        )
        return cls(con, previous, mark, resync, counts)

    @staticmethod
    def sources(table: Table) -> list[str]:
        """The source tables whose deletion log entries delete rows of ``table``."""
        return [table.source] + [source for source, _column in table.deleted_with]

    def usable(self, table: Table) -> bool:
        return (
            self.previous is not None
            and self.mark is not None
            and not self.resync.intersection(self.sources(table))
        )

    @property
    def prune_upto(self) -> int | None:
        """Entries the previous load read: pruned once this load has succeeded."""
        return self.previous

    def _ids(self) -> str:
        return f"SELECT row_id FROM {self.READ} WHERE table_name = ? AND row_id IS NOT NULL"  # noqa: S608

    def entries(self, table: Table) -> int:
        return sum(self.counts.get(source, 0) for source in self.sources(table))

    def matching(self, table: Table) -> tuple[str, list[str]]:
        """The condition on ``table``'s rows that the log deletes (its own rows and those
        of a parent it is deleted with), and its parameters."""
        pairs = [(table.source, table.key), *table.deleted_with]
        where = " OR ".join(f"{column} IN ({self._ids()})" for _source, column in pairs)
        return where, [source for source, _column in pairs]

    def delete(self, table: Table) -> int:
        if not self.entries(table):
            return 0
        where, params = self.matching(table)
        return self.con.execute(  # type: ignore[attr-defined]
            f"DELETE FROM {table.name} WHERE {where}",  # noqa: S608
            params,
        ).fetchone()[0]

    def save(self) -> None:
        if self.mark is not None:
            self.con.execute(  # type: ignore[attr-defined]
                "INSERT OR REPLACE INTO wh_watermark VALUES (?, ?)",
                [self.WATERMARK, str(self.mark)],
            )
        if self.previous is not None:
            self.con.execute(f"DROP TABLE IF EXISTS {self.READ}")  # type: ignore[attr-defined]
