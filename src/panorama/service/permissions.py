"""The service actions, registered in ``accounts.permissions`` from ``ready()``."""

from django.utils.translation import gettext_lazy as _

from panorama.accounts.permissions import may_edit, register


def register_all() -> None:
    register(
        "service.edit",
        rule=may_edit,
        message=_("Your role can read cases but not change them."),
    )
