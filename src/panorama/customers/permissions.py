"""The actions on customers, registered in ``accounts.permissions`` from ``ready()``.

Services check them (``ensure_can(by, "customers.merge")``); templates ask
``user|can:"customers.merge"``. What a user sees is ``selectors.scope_filter``.
"""

from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Role, Team, User
from panorama.accounts.permissions import may_edit, register, role_in

from .models import Customer
from .selectors import teams_in_scope

# Data stewardship (scanning for duplicates, merging, dismissing a pair, undoing a
# merge) rewrites or hides records other users work on: by default a sales manager's or
# an administrator's job (``PANORAMA_MERGE_ROLES``), or a data steward's, i.e. any user
# given the permission "Can add customer merge" in the admin (directly or through a group).
MERGE_PERMISSION = "customers.add_customermerge"
_ASSIGN_MESSAGE = _(
    "You can only assign customers to yourself or to a team you belong to or manage."
)


def team_in_scope(user: User, team: Team | None) -> bool:
    """Whether ``user`` may file customers under ``team`` (None: no team)."""
    if team is None:
        return True
    teams = teams_in_scope(user)
    return teams is None or teams.filter(pk=team.pk).exists()


def stays_visible(user: User, customer: Customer) -> bool:
    """Whether ``customer``, with its new owner and team, is still in ``user``'s scope: a
    rep cannot hand a customer to someone else's team and lose it."""
    teams = teams_in_scope(user)
    if teams is None or customer.owner_id == user.pk:
        return True
    return customer.team_id is not None and teams.filter(pk=customer.team_id).exists()


def _everyone(user: User, obj: Any = None) -> bool:
    return True


def _administrator(user: User, obj: Any = None) -> bool:
    return user.role == Role.ADMIN


def register_all() -> None:
    edit_message = _("Your role can read customers but not change them.")
    register("customers.edit", rule=may_edit, message=edit_message)
    register("customers.import", rule=may_edit, message=edit_message)
    # The team a customer is filed under (on create, or when it changes), whoever the
    # owner: a rep files under his own teams, a manager under the teams he manages.
    register("customers.assign_team", rule=team_in_scope, message=_ASSIGN_MESSAGE)
    register("customers.assign", rule=stays_visible, message=_ASSIGN_MESSAGE)
    # Exports are audited; every role may export what it sees unless a deployment says not.
    register("customers.export", rule=_everyone, message=_("Your role may not export customers."))
    register(
        "customers.configure_fields",
        rule=_administrator,
        message=_("Only administrators may define custom fields."),
    )
    stewards = role_in("PANORAMA_MERGE_ROLES", perm=MERGE_PERMISSION)
    register(
        "customers.scan",
        rule=stewards,
        message=_(
            "Scanning for duplicates is not part of your role: "
            "ask a sales manager, an administrator or a data steward."
        ),
    )
    register(
        "customers.merge",
        rule=stewards,
        message=_(
            "Merging customers is not part of your role: "
            "ask a sales manager, an administrator or a data steward."
        ),
    )
    # Dismissing a pair hides it from the stewards' list for good: theirs to decide.
    register(
        "customers.dismiss",
        rule=stewards,
        message=_(
            "Marking customers as not duplicates is not part of your role: "
            "ask a sales manager, an administrator or a data steward."
        ),
    )
    register(
        "customers.merge_undo",
        rule=stewards,
        message=_(
            "Undoing a merge is not part of your role: "
            "ask a sales manager, an administrator or a data steward."
        ),
    )


@checks.register(checks.Tags.security)
def merge_roles_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A misspelt role in ``PANORAMA_MERGE_ROLES`` would silently leave merging to
    superusers: refuse to start instead."""
    unknown = sorted(set(settings.PANORAMA_MERGE_ROLES) - set(Role.values))
    if not unknown:
        return []
    return [
        checks.Error(
            f"PANORAMA_MERGE_ROLES names unknown roles: {', '.join(unknown)}.",
            hint=f"Use role codes among: {', '.join(Role.values)}.",
            id="panorama.E001",
        )
    ]
