"""The actions on contacts and mailboxes, registered in ``accounts.permissions`` from
``ready()``."""

from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Role
from panorama.accounts.permissions import may_edit, register


def may_configure_mailboxes(user, obj=None) -> bool:
    return user.role == Role.ADMIN or user.has_perm("channels.change_mailbox")


def may_read_ledger(user, obj=None) -> bool:
    """Administrators and sales managers read every ledger; a user also reads (and
    retries) the ledger of a mailbox he owns (``obj``: that ``Mailbox``). No
    Django-permission fallback: the sidebar asks on every page, and ``has_perm`` would
    cost two queries there for everyone else."""
    if user.is_superuser or user.role in (Role.ADMIN, Role.SALES_MANAGER):
        return True
    return obj is not None and getattr(obj, "owner_id", None) == user.pk


def may_link_sender(user, obj=None) -> bool:
    return may_edit(user) and user.role in (Role.ADMIN, Role.SALES_MANAGER, Role.SERVICE_AGENT)


def may_configure_channels(user, obj=None) -> bool:
    """Sending identities, templates, messaging accounts, branches and tracked sites:
    administrators and sales managers."""
    return user.is_superuser or user.role in (Role.ADMIN, Role.SALES_MANAGER)


def may_chat(user, obj=None) -> bool:
    """Answering web chats: whoever may record contacts (every role but analysts)."""
    return may_edit(user)


def may_send(user, obj=None) -> bool:
    """E-mail, SMS and fax to a customer: whoever may record contacts with him (the
    record-level check is the customer's scope, in the service)."""
    return may_edit(user)


def register_all() -> None:
    register(
        "channels.configure_channels",
        rule=may_configure_channels,
        message=_(
            "Only administrators and managers configure sending identities, accounts, "
            "branches and tracked sites."
        ),
    )
    register(
        "channels.chat",
        rule=may_chat,
        message=_("Your role can read chats but not answer them."),
    )
    register(
        "channels.send",
        rule=may_send,
        message=_("Your role can read contacts but not send messages."),
    )
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
        message=_("Only administrators, managers and the mailbox's owner read its ledger."),
    )
    register(
        "channels.link_sender",
        rule=may_link_sender,
        message=_("Only agents, managers and administrators link unknown senders."),
    )
