"""A cheaper flush after the transactional tests on PostgreSQL.

After a transactional test (``transactional_db``, ``live_server``,
``django_db(transaction=True)``) Django empties every table of the models with one
``TRUNCATE`` of all of them (168), which gives each table, index and TOAST table a new
file that the commit writes to disk: 6 to 7 s per test on the shared test machine (the
test process itself waits, using 0.1 s of CPU). Here the same tables are emptied with
``DELETE`` inside one ``DO`` block: nothing to write for an empty table, 0.03 s.

The database ends in the same state as after the ``TRUNCATE``: the same tables emptied,
no others (the FTS and other RunSQL tables are not the models' and neither empties
them), sequences not reset, and no row trigger fires (``TRUNCATE`` fires none;
``session_replication_role = replica`` keeps the deletion log's triggers and the foreign
keys' checks quiet for the transaction, which also lets the tables be emptied in any
order). Django then sends ``post_migrate`` as after any flush. Setting that role needs a
superuser, which the suite's PostgreSQL user is (Makefile, PG_URL); for another user, and
for a flush that resets the sequences (``reset_sequences``) or cascades
(``available_apps``), Django's own statements run.
"""

from django.db import connection

_installed: list[bool] = []


def install() -> None:
    """Use ``sql_flush`` below for the PostgreSQL connections of this process."""
    if _installed or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        (superuser,) = cursor.fetchone()
    if not superuser:
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # The models' own table names (introspection), quoted.
        deletes = " ".join(f"DELETE FROM {self.quote_name(table)};" for table in tables)  # noqa: S608
        return [
            "DO $$BEGIN PERFORM set_config('session_replication_role', 'replica', true); "
            f"{deletes} END$$"
        ]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    _installed.append(True)
