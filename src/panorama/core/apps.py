from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "panorama.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (bulk jobs and their recovery)
        from .lists import (
            events,  # noqa: F401  (the saved views' events)
            jobs,  # noqa: F401  (the sweep that deletes expired exports)
        )
        from .permissions import register_all

        register_all()
        from .views import audit  # noqa: F401  (the audit log's list, by name)
