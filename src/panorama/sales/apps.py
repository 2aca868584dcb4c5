from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "panorama.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from . import events, panels, tasks  # noqa: F401  (events, panels, the reminders' sweep)
        from .permissions import register_all

        register_all()
        from . import palette

        palette.register()
        from panorama.customers.duplicates import merging

        from .models import Activity, Lead, Opportunity, Order, Quote

        # A merge moves the merged customer's opportunities and converted leads to the
        # survivor; its undo moves them back.
        merging.register(Opportunity, "customer", policy=merging.MOVE)
        merging.register(Lead, "customer", policy=merging.MOVE)
        # The agenda items of the merged customer follow him too.
        merging.register(Activity, "customer", policy=merging.MOVE)
        # Quotes and orders follow their customer the same way.
        merging.register(Quote, "customer", policy=merging.MOVE)
        merging.register(Order, "customer", policy=merging.MOVE)
