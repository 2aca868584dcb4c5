"""The bench's warehouse figures, in process:

- ``warehouse_build_s``: a full build of the DuckDB warehouse from the operational
  database (through the scanner), marts and Parquet export included;
- ``warehouse_refresh_s``: the incremental refresh after 1% of changes (1% of the
  customers change status, 1% of orders, opportunities and cases are edited, and 1% more
  interactions arrive);
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

WIDGET_RUNS = 20


def changes_make(percent: int = 1) -> None:
    """Change ``percent`` % of the rows the refresh reads, as plain SQL (bench set-up)."""
    step = max(1, 100 // percent)
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE customers_customer SET updated_at = %s, status = CASE WHEN status = "
            "'active' THEN 'inactive' ELSE 'active' END WHERE id %% %s = 0",
            [now, step],
        )
        for table in ("sales_order", "sales_opportunity", "service_case"):
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
    say("Measuring the warehouse (full build)...")
    out = {"warehouse_build_s": round(load.warehouse_build().seconds, 2)}
    say("Measuring the warehouse refresh after 1% of changes...")
    changes_make(1)
    out["warehouse_refresh_s"] = round(load.warehouse_refresh().seconds, 2)
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
    out["dashboard_widget_p95_ms"] = widget_p95(users)
    return out
