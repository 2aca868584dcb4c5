"""The actions on contacts and mailboxes, registered in ``accounts.permissions`` from
``ready()``."""

from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Role
from panorama.accounts.permissions import may_edit, register


def may_configure_mailboxes(user, obj=None) -> bool:
    return user.role == Role.ADMIN or user.has_perm("channels.change_mailbox")


def may_read_ledger(user, obj=None) -> bool:
    """Administrators and sales managers. No Django-permission fallback: the sidebar asks
    on every page, and ``has_perm`` would cost two queries there for everyone else."""
    return user.is_superuser or user.role in (Role.ADMIN, Role.SALES_MANAGER)


def may_link_sender(user, obj=None) -> bool:
    return may_edit(user) and user.role in (Role.ADMIN, Role.SALES_MANAGER, Role.SERVICE_AGENT)


def register_all() -> None:
    register(
        "channels.record",
        rule=may_edit,
        message=_("Your role can read contacts but not record them."),
    )
    register(
        "channels.configure_mailboxes",
        rule=may_configure_mailboxes,
        message=_("Only administrators configure mailboxes."),
    )
    register(
        "channels.read_ledger",
        rule=may_read_ledger,
        message=_("Only administrators and managers read the mail ledger."),
    )
    register(
        "channels.link_sender",
        rule=may_link_sender,
        message=_("Only agents, managers and administrators link unknown senders."),
    )
