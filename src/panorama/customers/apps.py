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
        self._merge_links()
        # The customer list (core.lists): saved views name it; the Ctrl+K palette's
        # actions and customer search; the import's recovery, registered with the task
        # worker's sweep (core.jobs).
        from . import lists, palette  # noqa: F401
        from .imports.services import jobs  # noqa: F401
        from .views import custom_fields  # noqa: F401  (the custom fields' list)

        palette.register()

    def _merge_links(self) -> None:
        """What a merge does with this app's links to a customer (``duplicates.merging``)."""
        from django.db.models import Q

        from .duplicates import merging
        from .models import (
            Customer,
            CustomerMerge,
            DuplicateCandidate,
            GroupMembership,
            Identity,
            ImportChange,
        )

        # One PIN per customer (the services' rule): the survivor's stays, the other's
        # stays with the merged customer like any identity the survivor already has.
        merging.register(Identity, unique=(((), Q(kind=Identity.Kind.PIN)),))
        # A group lists its members: the merged customer's membership of a group the
        # survivor is in would show him beside the survivor, so it is deleted (the
        # survivor's role stays), saved in the merge and put back by an undo.
        merging.register(GroupMembership, policy=merging.DROP_DUPLICATES)
        # Records about customers, not of them: they stay where they are.
        merging.register(Customer, "merged_into", policy=merging.LEAVE)
        merging.register(DuplicateCandidate, "customer_a", policy=merging.LEAVE)
        merging.register(DuplicateCandidate, "customer_b", policy=merging.LEAVE)
        merging.register(CustomerMerge, "survivor", policy=merging.LEAVE)
        merging.register(CustomerMerge, "merged", policy=merging.LEAVE)
        merging.register(ImportChange, policy=merging.LEAVE)
