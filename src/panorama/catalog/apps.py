from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "panorama.catalog"
    label = "catalog"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        # Declares the app's events in the catalogue of events.
        from . import (
            events,  # noqa: F401
            lists,  # noqa: F401  (the shared lists, for saved views)
        )
        from .permissions import register_all

        register_all()
