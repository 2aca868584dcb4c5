"""The administration's actions in the Ctrl+K palette (shown to administrators only)."""

from django.utils.translation import gettext_lazy as _

from panorama.core import palette


def register() -> None:
    palette.register_action(
        palette.Action(
            _("New user"),
            "staff:user_new",
            icon="person-gear",
            permission="accounts.manage_users",
            keywords=_("invite create add staff account"),
        )
    )
    palette.register_action(
        palette.Action(
            _("New token"),
            "staff:token_new",
            icon="key",
            permission="accounts.manage_tokens",
            keywords=_("api token key create"),
        )
    )
