"""Writes of the warehouse: asking for a refresh."""

from django.db import transaction

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can

from . import status
from .tasks import warehouse_refresh_task


def warehouse_refresh_request(*, by: User) -> None:
    """Queue a refresh now (the worker runs it; progress shows on the status page)."""
    ensure_can(by, "analytics.warehouse_refresh")
    if status.read().get("state") != "running":
        status.write_queued()
    # After the commit: the refresh reads the database as committed, never the request's
    # own open transaction (an in-memory SQLite snapshot would wait on its lock).
    transaction.on_commit(warehouse_refresh_task.enqueue)
