from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "panorama.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from . import events  # noqa: F401  (declares the app's events in the catalogue)
        from .permissions import register_all

        register_all()
