from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "panorama.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from panorama.core import outbox
        from panorama.sales.agenda import proposals_register

        from . import events, lists, panels, tasks  # noqa: F401  (events, list, panel, sweep)
        from .engine import (
            SUBSCRIBER,
            handle_event,
            handle_events,
            subscribed_events,
            wanted_now,
        )
        from .permissions import register_all

        register_all()
        # Rules see their events at least once, through the transactional outbox.
        outbox.subscribe_durable(
            SUBSCRIBER,
            subscribed_events(),
            handle_event,
            batch_handler=handle_events,
            gate=wanted_now,
        )
        proposals_register(panels.alerts_proposed)  # unseen alerts in the owner's agenda
        from panorama.customers.duplicates import merging

        from .models import Alert, WebEvent, WebVisitor

        merging.register(Alert, "customer", policy=merging.MOVE)
        merging.register(WebVisitor, "customer", policy=merging.MOVE)
        merging.register(WebEvent, "customer", policy=merging.MOVE)
