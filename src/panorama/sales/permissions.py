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
    register_agenda()
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


# --- the agenda and the forecast (agenda helper) ----------------------------------------


def _members_in_scope(user: User, other: Any) -> bool:
    """Whether ``other`` (a user) is ``user`` himself or a member of a team he manages
    (administrators: anyone)."""
    from panorama.customers.selectors import teams_in_scope

    if other is None or other.pk == user.pk or user.is_superuser or user.role == Role.ADMIN:
        return True
    if user.role != Role.SALES_MANAGER:
        return False
    teams = teams_in_scope(user)
    return teams is not None and other.teams.filter(pk__in=teams.values("pk")).exists()


def may_plan_for(user: User, owner: Any = None) -> bool:
    """A rep plans on his own agenda; a manager also on his teams' members'; an
    administrator on anyone's. Analysts read only."""
    return may_edit(user) and _members_in_scope(user, owner)


def may_adjust_forecast(user: User, target: Any = None) -> bool:
    """A manager adjusts the forecast of the teams he manages (and of their members);
    administrators any."""
    from panorama.accounts.models import Team

    if user.is_superuser or user.role == Role.ADMIN:
        return True
    if user.role != Role.SALES_MANAGER:
        return False
    if target is None:
        return True
    if isinstance(target, Team):
        return team_in_scope(user, target)
    return target.pk != user.pk and _members_in_scope(user, target)


def register_agenda() -> None:
    register(
        "sales.plan",
        rule=may_plan_for,
        message=_(
            "You may plan only on your own agenda, or a manager on his teams' members' agendas."
        ),
    )
    register(
        "sales.forecast_adjust",
        rule=may_adjust_forecast,
        message=_("Only the managers of a team and administrators adjust its forecast."),
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
