from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "panorama.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        # Declares the events, registers the ficha's segments panel and the sweep's tick.
        from . import events, panels, tasks  # noqa: F401
        from .permissions import register_all

        register_all()
        from . import lists

        lists.register()  # "Add to marketing list" on the customer list's bulk bar
        from panorama.core import outbox
        from panorama.core.events import catalogue
        from panorama.customers.duplicates import merging

        from . import (
            lists_campaigns,  # noqa: F401  (campaigns, call lists, static lists)
            lists_pages,  # noqa: F401 (segments, messages, journeys: shared lists)
        )
        from .models import Enrolment, ListMembership, OptIn, Recipient
        from .services.journeys import (
            SUBSCRIBER,
            WAIT_EVENTS,
            WAITS_SUBSCRIBER,
            handle_event,
            handle_wait_event,
            handle_wait_events,
            journey_events,
        )

        # A merge moves list stays and campaign rows to the survivor; a row the survivor
        # already has (the same list or campaign) stays with the merged customer.
        merging.register(ListMembership, "customer", policy=merging.MOVE)
        merging.register(Recipient, "customer", policy=merging.MOVE)
        # A sign-up's proof and a journey's progress follow the customer too.
        merging.register(OptIn, "customer", policy=merging.MOVE)
        merging.register(Enrolment, "customer", policy=merging.MOVE)
        # Delivery reports about campaign e-mails, read by the channels' inbound mail.
        from panorama.channels.outbound.bounces import bounce_handler_register

        from .services.bounces import campaign_bounce

        bounce_handler_register(campaign_bounce)
        # Journeys see their trigger events (and consent withdrawals) through the outbox.
        outbox.subscribe_durable(SUBSCRIBER, [*journey_events(), "consent.withdrawn"], handle_event)
        # A wait at a branch ends when its customer opens, clicks or buys (not at a sweep).
        outbox.subscribe_durable(
            WAITS_SUBSCRIBER,
            [e for e in WAIT_EVENTS if e in catalogue],
            handle_wait_event,
            batch_handler=handle_wait_events,
        )
