from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "panorama.service"
    label = "service"
    verbose_name = _("Service")

    def ready(self) -> None:
        from . import events, lists, panels, tasks  # noqa: F401  (events, list, panel, sweep)
        from .permissions import register_all

        register_all()
        from . import knowledge_search
        from .views import knowledge  # noqa: F401  (the knowledge base's list)

        knowledge_search.register_palette()
        from panorama.customers.duplicates import merging

        from .models import Case

        # A merge moves the merged customer's cases to the survivor; its undo moves them back.
        merging.register(Case, "customer", policy=merging.MOVE)
