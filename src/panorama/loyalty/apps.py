from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "panorama.loyalty"
    label = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self) -> None:
        # Declares the events, registers the ficha's panel and the daily sweep's tick.
        from . import events, lists, panels, tasks  # noqa: F401  (lists: saved views)
        from .permissions import register_all

        register_all()
        from panorama.core import outbox
        from panorama.customers.duplicates import merging

        from .models import Membership
        from .services.earning import EVENTS, SUBSCRIBER, handle_event

        # A merge moves the cards to the survivor; a card of a programme the survivor
        # already belongs to stays with the merged customer, listed in the merge.
        merging.register(Membership, "customer", policy=merging.MOVE)
        # Confirmed orders earn points, cancelled ones give them back (at least once).
        outbox.subscribe_durable(SUBSCRIBER, EVENTS, handle_event)
