"""The sales actions, registered in ``accounts.permissions`` from ``ready()``."""

from django.utils.translation import gettext_lazy as _

from panorama.accounts.permissions import may_edit, register


def register_all() -> None:
    register(
        "sales.edit",
        rule=may_edit,
        message=_("Your role can read sales records but not change them."),
    )
