"""The bench's warehouse figures, in process:

- ``warehouse_build_s``: a full build of the DuckDB warehouse from the operational
  database (through the scanner), marts and Parquet export included;
- ``warehouse_refresh_s``: the incremental refresh after 1% of changes (1% of the
  customers change status, 1% of orders, opportunities and cases are edited, and 1% more
  interactions arrive; all put back afterwards, so a rerun measures the same data);
- ``dashboard_widget_p95_ms``: one dashboard widget's query (scoped, on a read-only
  connection opened per widget as a page does), 95th percentile over every widget of
  every department, for a user who sees everything and for a sales rep."""

import time
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from panorama.accounts.models import Role, User
from panorama.analytics.warehouse import dashboards, load, selectors
from panorama.channels.models import Interaction

from . import measure
from .parts import Steps

WIDGET_RUNS = 20
CHANGE_PERCENT = 1  # of the rows the refresh reads


UNDO = "bench_warehouse_undo"  # what ``changes_make`` changed, to put it back
CHANGED = ("customers_customer", "sales_order", "sales_opportunity", "service_case")


def changes_make(percent: int = 1) -> None:
    """Change ``percent`` % of the rows the refresh reads, as plain SQL (bench set-up).

    What it changes is kept first, in the same transaction, in a table of the bench
    database (the rows' status and ``updated_at``, the last interaction id), so that
    ``changes_undo`` puts the database back as seeded and every run measures the same
    data."""
    step = max(1, 100 // percent)
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {UNDO}")
        cursor.execute(
            f"CREATE TABLE {UNDO} AS SELECT CAST('customers_customer' AS VARCHAR(40)) AS tbl, "  # noqa: S608
            "id, status, updated_at FROM customers_customer WHERE id %% %s = 0",
            [step],
        )
        for table in CHANGED[1:]:
            cursor.execute(
                f"INSERT INTO {UNDO} SELECT %s, id, NULL, updated_at "  # noqa: S608
                f"FROM {table} WHERE id %% %s = 0",
                [table, step],
            )
        cursor.execute(
            f"INSERT INTO {UNDO} SELECT 'channels_interaction', COALESCE(max(id), 0), "  # noqa: S608
            "NULL, NULL FROM channels_interaction"
        )
        cursor.execute(f"CREATE INDEX {UNDO}_key ON {UNDO} (tbl, id)")
        cursor.execute(
            "UPDATE customers_customer SET updated_at = %s, status = CASE WHEN status = "
            "'active' THEN 'inactive' ELSE 'active' END WHERE id %% %s = 0",
            [now, step],
        )
        for table in CHANGED[1:]:
            cursor.execute(
                f"UPDATE {table} SET updated_at = %s WHERE id %% %s = 0",  # noqa: S608
                [now, step],
            )
        columns = [f.column for f in Interaction._meta.concrete_fields if not f.primary_key]
        names = ", ".join(columns)
        cursor.execute(
            f"INSERT INTO channels_interaction ({names}) SELECT {names} "  # noqa: S608
            "FROM channels_interaction WHERE id %% %s = 0",
            [step],
        )


def changes_undo() -> bool:
    """Put back what ``changes_make`` changed (a run that stopped half-way included):
    statuses and ``updated_at`` as they were, the added interactions deleted and their
    ids given back (and taken out of the deletion log). False when there was nothing
    to undo."""
    if UNDO not in connection.introspection.table_names():
        return False
    with transaction.atomic(), connection.cursor() as cursor:
        for table in CHANGED:
            kept = ["updated_at", "status"] if table == "customers_customer" else ["updated_at"]
            assignments = ", ".join(
                f"{c} = (SELECT u.{c} FROM {UNDO} u WHERE u.tbl = %s AND u.id = {table}.id)"  # noqa: S608
                for c in kept
            )
            params = [table] * len(kept)
            cursor.execute(
                f"UPDATE {table} SET {assignments} "  # noqa: S608 (our own names)
                f"WHERE id IN (SELECT id FROM {UNDO} WHERE tbl = %s)",
                [*params, table],
            )
        cursor.execute(f"SELECT id FROM {UNDO} WHERE tbl = 'channels_interaction'")  # noqa: S608
        last = cursor.fetchone()[0]
        cursor.execute("DELETE FROM channels_interaction WHERE id > %s", [last])
        # Their ids are given back (the next run's added interactions take them again):
        # the deletion log must not hold them, or the next refresh would delete the rows
        # that reuse them.
        cursor.execute(
            "DELETE FROM analytics_deletedrow WHERE table_name = 'channels_interaction' "
            "AND row_id > %s",
            [last],
        )
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('channels_interaction', 'id'), "
                "GREATEST(%s, 1), %s > 0)",
                [last, last],
            )
        else:
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = 'channels_interaction'", [last]
            )
        cursor.execute(f"DROP TABLE {UNDO}")
    return True


def widget_p95(users: list[User], runs: int = WIDGET_RUNS) -> float:
    times: list[float] = []
    filters = selectors.Filters()
    for user in users:
        for department in dashboards.departments_for(user):
            for widget in dashboards.widgets_of(department.key):
                for _ in range(runs):
                    start = time.perf_counter()
                    selectors.widget_data(
                        user=user, department=department.key, key=widget.key, filters=filters
                    )
                    times.append((time.perf_counter() - start) * 1000)
    return round(measure.percentile(times, 95), 2) if times else 0.0


def measure_all(say: Callable[[str], None]) -> dict:
    if changes_undo():
        say("Putting back the changes an earlier run left...")
    steps = Steps(say)
    say("Measuring the warehouse (full build)...")
    with steps("warehouse build"):
        build = load.warehouse_build()
    out: dict = {"warehouse_build_s": round(build.seconds, 2)}
    say(load.load_summary(build))
    say("Measuring the warehouse refresh after 1% of changes...")
    with steps("changes (1%)"):
        changes_make(CHANGE_PERCENT)
    try:
        with steps("warehouse refresh"):
            refresh = load.warehouse_refresh()
        out["warehouse_refresh_s"] = round(refresh.seconds, 2)
        # Per step: seconds, rows reloaded, and whether SQLite found them by index; CPU
        # seconds for the load's phases and the marts.
        out["warehouse_refresh_steps"] = {
            name: {
                "s": seconds,
                "changed": refresh.changed.get(name, 0),
                "by_index": name in refresh.narrowed,
                **({"cpu_s": refresh.cpu[name]} if name in refresh.cpu else {}),
            }
            for name, seconds in refresh.timings.items()
        }
        say(load.load_summary(refresh))
    finally:
        changes_undo()  # the next run measures the same data
    say("Measuring the dashboard widgets...")
    users = [
        u
        for u in (
            User.objects.filter(is_superuser=True).first()
            or User.objects.filter(role=Role.ADMIN).first(),
            User.objects.filter(role=Role.SALES_REP, owned_customers__isnull=False).first(),
        )
        if u is not None
    ]
    with steps("widgets"):
        out["dashboard_widget_p95_ms"] = widget_p95(users)
    return out
