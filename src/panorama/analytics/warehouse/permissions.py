"""Who may do what with the warehouse, registered in ``accounts.permissions``."""

from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Role
from panorama.accounts.permissions import register

# Roles that start a refresh and read the warehouse's status (rows, durations).
OPERATORS = {Role.ADMIN, Role.ANALYST}


def may_operate(user, obj=None) -> bool:
    return user.is_superuser or user.role in OPERATORS


def register_all() -> None:
    register(
        "analytics.warehouse_refresh",
        rule=may_operate,
        message=_("Only administrators and analysts refresh the warehouse."),
    )
