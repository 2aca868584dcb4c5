from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
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
        post_migrate.connect(_last_contact_after_migrate, dispatch_uid="channels_last_contact")
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


def _last_contact_after_migrate(sender, using="default", **kwargs) -> None:
    # SQLite drops a table's triggers when a migration rebuilds it: put them back.
    if getattr(sender, "label", "") != "channels":
        return
    from .last_contact import last_contact_ensure

    last_contact_ensure(connections[using])
