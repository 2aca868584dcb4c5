"""The sales actions, registered in ``accounts.permissions`` from ``ready()``."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Role, User
from panorama.accounts.permissions import may_edit, register
from panorama.customers.permissions import stays_visible, team_in_scope


def _lead_stays_in_sight(user: User, lead: Any = None) -> bool:
    """A rep or a manager may hand a lead only where he still sees it (his teams), as
    with customers; a manager may also leave it unassigned for the rules or a colleague."""
    if lead is None:
        return True
    if lead.owner_id is None and lead.team_id is None:
        return user.sees_all_customers or user.role == Role.SALES_MANAGER
    return team_in_scope(user, lead.team) and stays_visible(user, lead)


def _administrator(user: User, obj: Any = None) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def register_all() -> None:
    register(
        "sales.edit",
        rule=may_edit,
        message=_("Your role can read sales records but not change them."),
    )
    # Lead assignment: only where the assigner still sees the lead.
    register(
        "sales.assign",
        rule=_lead_stays_in_sight,
        message=_("You may give a lead only to yourself or to a team you are in or manage."),
    )
    # Scoring and assignment rules and the public web forms: administrators.
    register(
        "sales.configure",
        rule=_administrator,
        message=_("Only administrators change the lead scoring and assignment rules."),
    )
    register_pipelines()
    register_quotes()


def may_configure_pipelines(user: User, obj: Any = None) -> bool:
    """Pipelines, stages, lost reasons and competitors shape every rep's work: a sales
    manager's or an administrator's to change (the lead rules stay the administrators',
    ``sales.configure``)."""
    return user.role in (Role.SALES_MANAGER, Role.ADMIN)


def register_pipelines() -> None:
    register(
        "sales.configure_pipelines",
        rule=may_configure_pipelines,
        message=_(
            "Configuring pipelines, stages, lost reasons and competitors is for sales "
            "managers and administrators."
        ),
    )


def may_approve_quotes(user: User, obj: Any = None) -> bool:
    """A manual discount above the administrators' threshold needs a sales manager's or
    an administrator's approval (the quote must be in his sight, checked by the selector)."""
    return user.is_superuser or user.role in (Role.SALES_MANAGER, Role.ADMIN)


def register_quotes() -> None:
    register(
        "sales.approve",
        rule=may_approve_quotes,
        message=_("Approving a quote's discount is for sales managers and administrators."),
    )
