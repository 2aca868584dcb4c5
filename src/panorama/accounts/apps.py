from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "panorama.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import events, receivers  # noqa: F401  (the events; login audit hooks)
        from .permissions import register_all

        register_all()
        from . import lists, palette  # noqa: F401  (the staff screens' lists, by name)

        palette.register()
