from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "panorama.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from . import panels  # noqa: F401  (registers the timeline on the ficha)
