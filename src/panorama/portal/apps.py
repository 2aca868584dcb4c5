from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "panorama.portal"
    label = "portal"
    verbose_name = _("Customer portal")

    def ready(self) -> None:
        from panorama.customers.duplicates import merging

        from . import events, tasks  # noqa: F401  (the catalogue's events; the mail task)
        from .models import LoginLink

        # A sign-in link still waiting follows its customer to the survivor.
        merging.register(LoginLink, "customer", policy=merging.MOVE)
