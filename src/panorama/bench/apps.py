from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchConfig(AppConfig):
    """The HTTP benchmark; an app only so that ``panorama bench`` lives beside the code
    it drives. It has no models."""

    name = "panorama.bench"
    label = "bench"
    verbose_name = _("Benchmark")
