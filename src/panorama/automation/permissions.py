"""The actions on rules, registered in ``accounts.permissions`` from ``ready()``. Alerts
need no action of their own: a user sees the alerts of the customers he sees (the
selectors scope them)."""

from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Role
from panorama.accounts.permissions import register


def may_edit_rules(user, obj=None) -> bool:
    """Administrators only: a rule acts on every customer."""
    return user.is_superuser or user.role == Role.ADMIN


def register_all() -> None:
    register(
        "automation.edit_rules",
        rule=may_edit_rules,
        message=_("Only administrators create, change, pause or import rules."),
    )
