"""The core's actions, registered in ``accounts.permissions`` from ``ready()``."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Role, User
from panorama.accounts.permissions import register


def _admin(user: User, obj: Any = None) -> bool:
    return user.role == Role.ADMIN


def _auditor(user: User, obj: Any = None) -> bool:
    """Administrators, and auditors: staff users (``is_staff``) given the audit event's
    view permission in the Django admin (read the log, change nothing). ``is_staff``
    first: the permission lookup costs two queries, and every page's sidebar asks."""
    return user.role == Role.ADMIN or (user.is_staff and user.has_perm("core.view_auditevent"))


def _everyone(user: User, obj: Any = None) -> bool:
    return True


def register_all() -> None:
    # Exporting what a list shows (its rows as the user sees them, audited) is reading:
    # every role, unless a deployment says not. Lists of customers' personal data ask
    # ``customers.export`` instead (the deployment's one switch for personal data).
    register("core.export", rule=_everyone, message=_("Your role may not export lists."))
    register(
        "core.share_view",
        rule=_admin,
        message=_("Only administrators may share views or change shared ones."),
    )
    register(
        "core.read_audit",
        rule=_auditor,
        message=_("Only administrators and auditors may read the audit log."),
    )
