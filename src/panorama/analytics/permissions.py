"""The actions of analytics, registered in ``accounts.permissions`` from ``ready()``."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Role, User
from panorama.accounts.permissions import may_edit, register

# Running the models rewrites every customer's scores: the analysts' job, and the
# people who act on them (marketing, sales managers), and administrators.
MODEL_ROLES = {Role.ANALYST, Role.MARKETING, Role.SALES_MANAGER, Role.ADMIN}


def may_run_models(user: User, obj: Any = None) -> bool:
    return user.role in MODEL_ROLES


def may_build_reports(user: User, obj: Any = None) -> bool:
    from .warehouse.dashboards import departments_for

    return bool(departments_for(user))


def register_all() -> None:
    register(
        "analytics.import_orders",
        rule=may_edit,
        message=_("Your role can read customers but not import their orders."),
    )
    register(
        "analytics.run_models",
        rule=may_run_models,
        message=_("Only analysts, marketing, sales managers and administrators run the models."),
    )
    register(
        "analytics.build_reports",
        rule=may_build_reports,
        message=_("Your role has no dashboards to build reports on."),
    )
