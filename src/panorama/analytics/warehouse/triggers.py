"""The database triggers that let a refresh read only what changed.

- Deletions: every row deleted from ``LOGGED`` (the source of every warehouse table a
  refresh deletes from, and the orders and purchases whose lines go with them) leaves
  its id in ``analytics_deletedrow``, whatever deleted it: an erasure's cascade, a
  merge, the API, plain SQL. PostgreSQL writes one statement's rows at once (a
  transition table), SQLite one row at a time.
- ``customers_holding.updated_at``: an UPDATE that leaves it as it was (a merge moving
  the holdings with ``QuerySet.update``, plain SQL) sets it to now, so the holdings'
  change marker is as reliable as a save.

``triggers_ensure`` creates what is missing; it runs in the migration and after every
``migrate`` (``post_migrate``), because SQLite drops a table's triggers when a later
migration rebuilds the table. A trigger it has to create again (not the first time)
leaves a ``row_id``-less entry for its table, so the next refresh checks that table
whole (the deletions made while it was missing were not logged)."""

from django.db import connection as default_connection

LOG = "analytics_deletedrow"
# Every ``Table.source`` and ``Table.deleted_with`` source of the schema (a test checks).
LOGGED = (
    "channels_interaction",
    "customers_holding",
    "customers_customer",
    "sales_order",
    "sales_orderline",
    "sales_quote",
    "sales_opportunity",
    "sales_stagechange",
    "service_case",
    "analytics_purchase",
    "analytics_purchaseline",
    "automation_webevent",
    "loyalty_movement",
)
STAMPED = ("customers_holding",)  # tables whose updated_at a trigger keeps


def _name(table: str, what: str) -> str:
    return f"analytics_{what}_{table}"


def _sqlite_delete(table: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {_name(table, 'logdel')} AFTER DELETE ON {table} "
        f"BEGIN INSERT INTO {LOG} (table_name, row_id, deleted_at) "
        f"VALUES ('{table}', OLD.id, strftime('%Y-%m-%d %H:%M:%f', 'now')); END"
    )


def _sqlite_stamp(table: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {_name(table, 'stamp')} AFTER UPDATE ON {table} "
        "WHEN NEW.updated_at IS OLD.updated_at "
        f"BEGIN UPDATE {table} SET updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') "
        "WHERE id = NEW.id; END"
    )


PG_FUNCTIONS = (
    "CREATE OR REPLACE FUNCTION analytics_log_deleted() RETURNS trigger LANGUAGE plpgsql "
    f"AS $$ BEGIN INSERT INTO {LOG} (table_name, row_id, deleted_at) "
    "SELECT TG_TABLE_NAME, id, now() FROM gone; RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION analytics_stamp_updated() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN "
    "NEW.updated_at := now(); END IF; RETURN NEW; END $$",
)


def _pg_delete(table: str) -> str:
    return (
        f"CREATE TRIGGER {_name(table, 'logdel')} AFTER DELETE ON {table} "
        "REFERENCING OLD TABLE AS gone FOR EACH STATEMENT "
        "EXECUTE FUNCTION analytics_log_deleted()"
    )


def _pg_stamp(table: str) -> str:
    return (
        f"CREATE TRIGGER {_name(table, 'stamp')} BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION analytics_stamp_updated()"
    )


def _present(cursor, vendor: str) -> set[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    else:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    return {row[0] for row in cursor.fetchall()}


def wanted() -> list[tuple[str, str, str]]:
    """(trigger name, table, kind) of every trigger this module keeps."""
    return [(_name(t, "logdel"), t, "logdel") for t in LOGGED] + [
        (_name(t, "stamp"), t, "stamp") for t in STAMPED
    ]


def triggers_ensure(connection=None, *, first: bool = False) -> list[str]:
    """Create the triggers that are missing; returns their names. ``first``: the
    migration creating them, nothing was logged before, no table to check whole."""
    connection = connection or default_connection
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        return []
    tables = set(connection.introspection.table_names())
    if LOG not in tables:
        return []  # before the migration that creates the log
    created = []
    with connection.cursor() as cursor:
        present = _present(cursor, vendor)
        missing = [w for w in wanted() if w[0] not in present and w[1] in tables]
        if not missing:
            return []
        if vendor == "postgresql":
            for sql in PG_FUNCTIONS:
                cursor.execute(sql)
        for name, table, kind in missing:
            if vendor == "sqlite":
                sql = _sqlite_delete(table) if kind == "logdel" else _sqlite_stamp(table)
            else:
                sql = _pg_delete(table) if kind == "logdel" else _pg_stamp(table)
            cursor.execute(sql)
            created.append(name)
            if kind == "logdel" and not first:
                cursor.execute(
                    f"INSERT INTO {LOG} (table_name, row_id, deleted_at) "  # noqa: S608
                    "VALUES (%s, NULL, CURRENT_TIMESTAMP)",
                    [table],
                )
    return created


def triggers_drop(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        for name, table, _kind in wanted():
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            elif connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS analytics_log_deleted()")
            cursor.execute("DROP FUNCTION IF EXISTS analytics_stamp_updated()")
