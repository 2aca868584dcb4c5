"""``Customer.last_contact_at``, the time of the customer's newest interaction, kept by
database triggers on ``channels_interaction``.

Why triggers: interactions are written by ``interaction_record``, by the import's and
the seeder's bulk writers (``core.bulk``: ``executemany``, ``COPY``), moved by a merge
(``QuerySet.update``) and its undo, deleted by an import's undo, an erasure, a customer's
cascade and plain SQL. A trigger is the one place every one of them passes through, on
SQLite and on PostgreSQL alike.

- An insert sets the customer's column when the new interaction is newer.
- A delete of the customer's newest interaction reads the next newest again (one step
  down the index ``interaction_timeline``); NULL when none is left.
- An update that moves an interaction to another customer (a merge) or changes its time
  reads both customers' newest again.

SQLite runs them row by row; PostgreSQL once per statement over its transition tables
(a 10,000-row ``COPY`` updates each customer once, not once per interaction: each
update of a row is a new row version there).

``last_contact_ensure`` creates what is missing; it runs in the migration and after
every ``migrate`` (``post_migrate``), because SQLite drops a table's triggers when a
later migration rebuilds it. Triggers created again (not the first time) fill the
column again from the interactions (``last_contact_fill``): writes made while they were
missing are counted too."""

# ruff: noqa: S608  (the SQL is composed of this module's table names, never of input)
from django.db import connection as default_connection

TABLE = "channels_interaction"
CUSTOMERS = "customers_customer"
NAMES = ("channels_last_contact_ins", "channels_last_contact_del", "channels_last_contact_upd")

# The customer's newest interaction (an index step on interaction_timeline).
_NEWEST = (
    f"(SELECT i.occurred_at FROM {TABLE} i WHERE i.customer_id = {CUSTOMERS}.id "
    "ORDER BY i.occurred_at DESC LIMIT 1)"
)

SQLITE = {
    NAMES[0]: (
        f"CREATE TRIGGER IF NOT EXISTS {NAMES[0]} AFTER INSERT ON {TABLE} BEGIN "
        f"UPDATE {CUSTOMERS} SET last_contact_at = NEW.occurred_at "
        "WHERE id = NEW.customer_id "
        "AND (last_contact_at IS NULL OR last_contact_at < NEW.occurred_at); END"
    ),
    NAMES[1]: (
        f"CREATE TRIGGER IF NOT EXISTS {NAMES[1]} AFTER DELETE ON {TABLE} BEGIN "
        f"UPDATE {CUSTOMERS} SET last_contact_at = {_NEWEST} "
        "WHERE id = OLD.customer_id AND last_contact_at <= OLD.occurred_at; END"
    ),
    NAMES[2]: (
        f"CREATE TRIGGER IF NOT EXISTS {NAMES[2]} AFTER UPDATE OF customer_id, occurred_at "
        f"ON {TABLE} WHEN OLD.customer_id IS NOT NEW.customer_id "
        "OR OLD.occurred_at IS NOT NEW.occurred_at BEGIN "
        f"UPDATE {CUSTOMERS} SET last_contact_at = {_NEWEST} "
        "WHERE id IN (OLD.customer_id, NEW.customer_id); END"
    ),
}

PG_FUNCTIONS = (
    "CREATE OR REPLACE FUNCTION channels_last_contact_ins() RETURNS trigger "
    f"LANGUAGE plpgsql AS $$ BEGIN UPDATE {CUSTOMERS} c SET last_contact_at = a.newest "
    "FROM (SELECT customer_id, max(occurred_at) AS newest FROM added GROUP BY customer_id) a "
    "WHERE c.id = a.customer_id "
    "AND (c.last_contact_at IS NULL OR c.last_contact_at < a.newest); RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION channels_last_contact_del() RETURNS trigger "
    f"LANGUAGE plpgsql AS $$ BEGIN UPDATE {CUSTOMERS} SET last_contact_at = {_NEWEST} "
    "FROM (SELECT customer_id, max(occurred_at) AS newest FROM gone GROUP BY customer_id) g "
    f"WHERE {CUSTOMERS}.id = g.customer_id AND {CUSTOMERS}.last_contact_at <= g.newest; "
    "RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION channels_last_contact_upd() RETURNS trigger "
    f"LANGUAGE plpgsql AS $$ BEGIN UPDATE {CUSTOMERS} SET last_contact_at = {_NEWEST} "
    f"WHERE {CUSTOMERS}.id IN ("
    "SELECT unnest(ARRAY[o.customer_id, n.customer_id]) FROM gone o JOIN added n ON n.id = o.id "
    "WHERE o.customer_id IS DISTINCT FROM n.customer_id "
    "OR o.occurred_at IS DISTINCT FROM n.occurred_at); RETURN NULL; END $$",
)

PG = {
    NAMES[0]: (
        f"CREATE TRIGGER {NAMES[0]} AFTER INSERT ON {TABLE} REFERENCING NEW TABLE AS added "
        "FOR EACH STATEMENT EXECUTE FUNCTION channels_last_contact_ins()"
    ),
    NAMES[1]: (
        f"CREATE TRIGGER {NAMES[1]} AFTER DELETE ON {TABLE} REFERENCING OLD TABLE AS gone "
        "FOR EACH STATEMENT EXECUTE FUNCTION channels_last_contact_del()"
    ),
    # PostgreSQL allows no column list with transition tables: the function compares.
    NAMES[2]: (
        f"CREATE TRIGGER {NAMES[2]} AFTER UPDATE ON {TABLE} "
        "REFERENCING OLD TABLE AS gone NEW TABLE AS added "
        "FOR EACH STATEMENT EXECUTE FUNCTION channels_last_contact_upd()"
    ),
}

# The backfill: one grouped pass over the interactions (the index interaction_timeline
# covers it), one UPDATE ... FROM (SQLite >= 3.33 and PostgreSQL).
FILL = (
    f"UPDATE {CUSTOMERS} SET last_contact_at = m.newest FROM "
    f"(SELECT customer_id, max(occurred_at) AS newest FROM {TABLE} GROUP BY customer_id) m "
    f"WHERE m.customer_id = {CUSTOMERS}.id "
    f"AND {CUSTOMERS}.last_contact_at IS DISTINCT FROM m.newest"
)
# Customers whose interactions are all gone.
CLEAR = (
    f"UPDATE {CUSTOMERS} SET last_contact_at = NULL WHERE last_contact_at IS NOT NULL "
    f"AND NOT EXISTS (SELECT 1 FROM {TABLE} i WHERE i.customer_id = {CUSTOMERS}.id)"
)


def _present(cursor, vendor: str) -> set[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    else:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    return {row[0] for row in cursor.fetchall()}


def last_contact_fill(connection=None) -> None:
    """Set every customer's column from his interactions (the migration; triggers
    created again)."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        # SQLite's IS NOT is PostgreSQL's IS DISTINCT FROM (both: NULL-safe).
        cursor.execute(FILL.replace("IS DISTINCT FROM", "IS NOT") if _sqlite(connection) else FILL)
        cursor.execute(CLEAR)


def _sqlite(connection) -> bool:
    return connection.vendor == "sqlite"


def last_contact_ensure(connection=None, *, first: bool = False) -> list[str]:
    """Create the triggers that are missing; returns their names. Unless ``first`` (the
    migration, which fills the column itself), a trigger created again means writes
    may have gone uncounted: the column is filled again."""
    connection = connection or default_connection
    if connection.vendor not in ("sqlite", "postgresql"):
        return []
    tables = set(connection.introspection.table_names())
    if TABLE not in tables or CUSTOMERS not in tables:
        return []
    with connection.cursor() as cursor:
        columns = {
            c.name for c in connection.introspection.get_table_description(cursor, CUSTOMERS)
        }
        if "last_contact_at" not in columns:
            return []  # before the migration that adds the column
        missing = [name for name in NAMES if name not in _present(cursor, connection.vendor)]
        if not missing:
            return []
        if connection.vendor == "postgresql":
            for sql in PG_FUNCTIONS:
                cursor.execute(sql)
        statements = SQLITE if _sqlite(connection) else PG
        for name in missing:
            cursor.execute(statements[name])
    if not first:
        last_contact_fill(connection)
    return missing


def last_contact_drop(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        for name in NAMES:
            if _sqlite(connection):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            elif connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
