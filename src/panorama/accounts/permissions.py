"""Who may do what: one registry of named actions that every app extends.

An app registers its actions in ``AppConfig.ready()``::

    permissions.register(
        "customers.merge",
        rule=lambda user, obj: user.role in settings.PANORAMA_MERGE_ROLES,
        message=_("Only sales managers, administrators and data stewards may merge customers."),
    )

and its services check them before writing, whoever calls them (a view, the API, an
import, a task, the shell)::

    ensure_can(by, "customers.merge")            # PermissionDenied with that message

Templates ask the same question with ``{% load permissions %}{% if user|can:"customers.merge" %}``.

Reads are not actions: what a user may *see* is the selectors' scoping
(``customers.selectors.scope_filter``), and a record outside it does not exist for
him (404). A rule answers what he may *do* with what he sees.

``user`` None is the system itself (a task, a command, the seeder): it may do anything.
A superuser may do anything too. An unknown action name is a programming error
(``LookupError``), never a silent "allowed".
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from panorama.core.exceptions import PermissionDenied

from .models import READ_ONLY_ROLES, Role, User

Rule = Callable[[User, Any], bool]


@dataclass(frozen=True)
class Action:
    name: str
    rule: Rule
    message: Any  # a lazy translation: the user's language when it is raised


_actions: dict[str, Action] = {}


def register(name: str, *, rule: Rule, message: Any) -> Action:
    """Declare an action. Two apps registering one name is an error."""
    action = Action(name, rule, message)
    existing = _actions.get(name)
    if existing is not None and _origin(existing.rule) != _origin(rule):
        raise ValueError(f"The permission {name!r} is already registered.")
    _actions[name] = action
    return action


def _origin(rule: Rule) -> tuple[str, str]:
    return getattr(rule, "__module__", ""), getattr(rule, "__qualname__", repr(rule))


def registered() -> dict[str, Action]:
    return dict(_actions)


def _action(name: str) -> Action:
    try:
        return _actions[name]
    except KeyError:
        raise LookupError(f"No permission {name!r} is registered.") from None


def can(user: User | None, name: str, obj: Any = None) -> bool:
    action = _action(name)
    if user is None or user.is_superuser:
        return True
    if not user.is_active:
        return False
    return bool(action.rule(user, obj))


def ensure_can(user: User | None, name: str, obj: Any = None) -> None:
    """Raise ``PermissionDenied`` (403, the action's message) unless ``user`` may."""
    if not can(user, name, obj):
        raise PermissionDenied(_action(name).message)


# --- rules apps reuse --------------------------------------------------------------------


def may_edit(user: User, obj: Any = None) -> bool:
    """Every role but the read-only ones (analysts) changes what it sees."""
    return user.role not in READ_ONLY_ROLES


def role_in(setting: str, *, perm: str = "") -> Rule:
    """A rule for the roles listed in ``settings.<setting>`` (read at each check, so a
    deployment or a test can change it), or users given the Django permission
    ``perm`` (directly or through a group such as "Data stewards", in the admin)."""

    def rule(user: User, obj: Any = None) -> bool:
        if user.role in getattr(settings, setting):
            return True
        return bool(perm) and user.has_perm(perm)

    return rule


# --- the accounts' own actions ---------------------------------------------------------


def _administrator(user: User, obj: Any = None) -> bool:
    return user.role == Role.ADMIN


def register_all() -> None:
    """Staff administration: users and teams, API tokens (from ``AccountsConfig.ready``)."""
    from django.utils.translation import gettext_lazy as _

    register(
        "accounts.manage_users",
        rule=_administrator,
        message=_("Only administrators may manage users and teams."),
    )
    register(
        "accounts.manage_tokens",
        rule=_administrator,
        message=_("Only administrators may issue or list API tokens."),
    )
