"""The actions on rules and alerts, registered in ``accounts.permissions`` from
``ready()``. Seeing alerts needs no action of its own: a user sees the alerts of the
customers he sees (the selectors scope them); raising one by hand needs a role that
changes what it sees."""

from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Role
from panorama.accounts.permissions import may_edit, register


def may_edit_rules(user, obj=None) -> bool:
    """Administrators only: a rule acts on every customer."""
    return user.is_superuser or user.role == Role.ADMIN


def register_all() -> None:
    register(
        "automation.edit_rules",
        rule=may_edit_rules,
        message=_("Only administrators create, change, pause or import rules."),
    )
    register(
        "automation.raise_alerts",
        rule=may_edit,
        message=_("Your role can read alerts but not raise them."),
    )
