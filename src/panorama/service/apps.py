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
        from .selectors import knowledge as knowledge_search
        from .views import knowledge  # noqa: F401  (the knowledge base's list)

        knowledge_search.register_palette()
        from . import palette as service_palette

        service_palette.register()  # Ctrl+K: cases by reference
        from panorama.sales.agenda import proposals_register

        proposals_register(panels.callbacks_proposed)  # callbacks in the agents' agenda
        from panorama.channels.failures import retry_handler_register

        from .services.reply import reply_retry

        retry_handler_register("case_message", reply_retry)  # failed replies, sent again
        from panorama.core import palette

        # Ctrl+K: record a callback from anywhere (call management).
        palette.register_action(
            palette.Action(
                _("New callback"),
                "service:callback_create",
                icon="telephone-forward",
                permission="service.edit",
                keywords=_("call me back phone"),
            )
        )
        from panorama.customers.duplicates import merging

        from .models import Call, CallbackRequest, Case

        # A merge moves the merged customer's cases to the survivor; its undo moves them back.
        merging.register(Case, "customer", policy=merging.MOVE)
        # Calls and callback requests follow their customer the same way.
        merging.register(Call, "customer", policy=merging.MOVE)
        merging.register(CallbackRequest, "customer", policy=merging.MOVE)
