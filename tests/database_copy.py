"""The suite's migrated test database, copied for tests that start real processes.

``panorama migrate`` on an empty database renders the migration state a few hundred
times (half a minute or more); the test database was migrated at the session's start,
so the processes' database starts as a copy of it. The tests still run ``panorama
migrate`` on the copy (nothing left to apply: it checks the migrations and writes the
content types and permissions, as after an upgrade), so a site is set up as a user sets
it up.
"""

import sqlite3
from pathlib import Path

from django.db import connection


def copy_to_sqlite(path: Path) -> None:
    """Write the (SQLite) test database to the file ``path``. Call it outside any
    transaction (a module-scoped fixture): SQLite's backup waits for the connection's own
    write transaction to end."""
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def postgres_template() -> str | None:
    """The test database's name, to ``CREATE DATABASE ... TEMPLATE`` from: PostgreSQL
    copies a template only while nobody is connected to it, so this connection closes
    (it opens again on the next query)."""
    if connection.vendor != "postgresql":
        return None
    connection.close()
    return connection.settings_dict["NAME"]
