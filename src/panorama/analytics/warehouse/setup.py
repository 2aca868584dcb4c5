"""What the analytics app's ``ready()`` wires for the warehouse."""

from django.db import connections
from django.db.models.signals import post_migrate


def _triggers_after_migrate(sender, using="default", **kwargs) -> None:
    # SQLite drops a table's triggers when a migration rebuilds it: put them back.
    if getattr(sender, "label", "") != "analytics":
        return
    from .triggers import triggers_ensure

    triggers_ensure(connections[using])


def ready() -> None:
    from . import tasks  # noqa: F401  (the scheduled refresh)
    from .permissions import register_all

    register_all()
    post_migrate.connect(_triggers_after_migrate, dispatch_uid="analytics_warehouse_triggers")
