from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeedingConfig(AppConfig):
    """Generated demo and bench data; an app only so that its commands (``seed``,
    ``demo``) live beside the code they drive. It has no models."""

    name = "panorama.seeding"
    label = "seeding"
    verbose_name = _("Demo data")
