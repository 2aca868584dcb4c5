"""A cheaper flush after the transactional tests.

After a transactional test (``transactional_db``, ``live_server``,
``django_db(transaction=True)``) Django empties every table of the models and sends
``post_migrate``, whose content-type and permission handlers write those two tables
back: every model's content type and its four permissions (154 and 616 rows), after
some seventy queries: half a second to a second per test on the shared test machine,
SQLite or PostgreSQL, most of the flush's time on SQLite. Two changes:

- ``django_content_type`` and ``auth_permission`` keep the rows the migration wrote
  (only the rows a test added, ids above the migration's, are deleted), and when both
  tables are then as the migration left them (same count, same highest id),
  ``post_migrate`` is sent without those two handlers: they would find every row there
  and write nothing. Any other handler (the warehouse's triggers) still runs. If a test
  deleted a content type or a permission, the whole ``post_migrate`` runs and puts it
  back, as after Django's flush, and the rows it leaves are the ones kept from then on.
  The database ends as after Django's flush, the ids of the content types and
  permissions aside (Django's gives them new ones).
- PostgreSQL: Django empties the tables with one ``TRUNCATE`` of all of them (168),
  which gives each table, index and TOAST table a new file that the commit writes to
  disk: 6 to 7 s per test on the shared test machine (the test process itself waits,
  using 0.1 s of CPU). Here the same tables are emptied with ``DELETE`` inside one
  ``DO`` block: nothing to write for an empty table, 0.03 s. No row trigger fires
  (``TRUNCATE`` fires none; ``session_replication_role = replica`` keeps the deletion
  log's triggers and the foreign keys' checks quiet for the transaction, which also
  lets the tables be emptied in any order) and sequences are not reset. Setting that
  role needs a superuser, which the suite's PostgreSQL user is (Makefile, PG_URL); for
  another user Django's ``TRUNCATE`` runs (the two tables above kept all the same).

For a flush that resets the sequences (``reset_sequences``) or cascades
(``available_apps``), Django's own statements and ``post_migrate`` run.
"""

from contextlib import contextmanager

from django.db import connection

# The tables post_migrate writes back after a flush, and their extent after migrating.
KEPT = ("django_content_type", "auth_permission")
_kept: dict[str, tuple[int, int]] = {}


def _extent(table: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        count, highest = cursor.fetchone()
    return count, highest


def install() -> None:
    """Use the cheaper flush for this process's connections (the test database is
    migrated: its content types and permissions are all there)."""
    if _kept:
        return
    _kept.update({table: _extent(table) for table in KEPT})
    operations = type(connection.ops)
    flush_sql = operations.sql_flush
    delete_sql = connection.vendor == "postgresql" and _superuser()

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return flush_sql(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        added = [
            f"DELETE FROM {self.quote_name(table)} WHERE id > {_kept[table][1]};"  # noqa: S608
            for table in KEPT
            if table in tables
        ]
        emptied = [table for table in tables if table not in KEPT]
        if not delete_sql:
            return flush_sql(self, style, emptied) + added
        # The models' own table names (introspection), quoted.
        deletes = " ".join(f"DELETE FROM {self.quote_name(table)};" for table in emptied)  # noqa: S608
        return [
            "DO $$BEGIN PERFORM set_config('session_replication_role', 'replica', true); "
            f"{deletes} {' '.join(added)} END$$"
        ]

    operations.sql_flush = sql_flush  # type: ignore[method-assign]

    from django.core.management.commands import flush

    emit = flush.emit_post_migrate_signal

    def emit_post_migrate_signal(verbosity, interactive, db, **kwargs):
        if all(_extent(table) == extent for table, extent in _kept.items()):
            with _without_content_types_and_permissions():
                emit(verbosity, interactive, db, **kwargs)
            return
        emit(verbosity, interactive, db, **kwargs)
        # Written back whole (new ids, after Django's own flush or a deleted row): the
        # next flushes keep these.
        _kept.update({table: _extent(table) for table in KEPT})

    flush.emit_post_migrate_signal = emit_post_migrate_signal


def _superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        (superuser,) = cursor.fetchone()
    return superuser


@contextmanager
def _without_content_types_and_permissions():
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.signals import post_migrate

    uid = "django.contrib.auth.management.create_permissions"
    post_migrate.disconnect(create_contenttypes)
    post_migrate.disconnect(create_permissions, dispatch_uid=uid)
    try:
        yield
    finally:
        post_migrate.connect(create_contenttypes)
        post_migrate.connect(create_permissions, dispatch_uid=uid)
        ContentType.objects.clear_cache()  # a deleted content type a test cached
