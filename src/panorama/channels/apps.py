from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "panorama.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        # Declares the app's events in the catalogue; registers the timeline on the ficha.
        from . import events, panels, tasks  # noqa: F401  (events, panel, mail polling)
        from .permissions import register_all

        register_all()
        from . import lists

        lists.register()  # the last contact, a column of the customer list
        from panorama.customers.duplicates import merging

        from . import failures_page  # noqa: F401  (the failed messages list, by name)
        from .models import Conversation, Fax, Interaction, MailEntry, SentMail, TextMessage

        # A merge moves contacts to the survivor (the default, said here as the example
        # a new app copies); its undo moves them back.
        merging.register(Interaction, "customer", policy=merging.MOVE)
        # A linked message follows its customer, like the e-mail on his timeline.
        merging.register(MailEntry, "customer", policy=merging.MOVE)
        # So do the adapters' records: what was sent to him, his texts, faxes and chats.
        for model in (SentMail, TextMessage, Fax, Conversation):
            merging.register(model, "customer", policy=merging.MOVE)
