from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "panorama.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        # The scores panel on the ficha; the actions of the import and the model runs.
        from . import conditions, palette, panels, tasks  # noqa: F401  (the scores panel, the retraining)
        from .permissions import register_all

        register_all()
        conditions.register()  # the scores in segment and rule conditions
        palette.register()
        from panorama.customers.duplicates import merging

        from .models import CustomerScore, Purchase

        # A merged customer's purchase history is the survivor's; scores are recomputed
        # by the next run, so the merged one's stay behind with him.
        merging.register(Purchase, "customer", policy=merging.MOVE)
        merging.register(CustomerScore, "customer", policy=merging.LEAVE)
        from .warehouse import setup as warehouse_setup

        warehouse_setup.ready()  # permissions and the scheduled refresh
