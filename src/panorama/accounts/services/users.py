"""Staff administration of users: create one, change his role and teams, deactivate him
(never delete: his records, history and audit trail keep pointing at him).

Two rules hold on every path (these screens, the API, the shell): a user cannot
deactivate himself, and the last active administrator can be neither demoted nor
deactivated, so the installation always keeps someone who can administer it.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.core.services import audit_record
from panorama.core.validation import model_clean

from ..models import Role, Team, User
from ..permissions import ensure_can

# What ``user_update`` changes; ``is_active`` goes through deactivate / reactivate.
EDITABLE = ("first_name", "last_name", "email", "role", "language", "teams", "managed_teams")
_RELATIONS = ("teams", "managed_teams")


def _pk(by: User | None) -> int | None:
    return by.pk if by is not None else None


def _check_user(user: User) -> None:
    model_clean(user, exclude=("password", "last_login", "date_joined"))
    clash = User.objects.filter(username__iexact=user.username).exclude(pk=user.pk)
    if clash.exists():
        raise ValidationFailed(
            _("A user named “%(username)s” already exists.") % {"username": user.username},
            field="username",
        )


def _is_last_admin(user: User) -> bool:
    """Whether ``user`` is the only active administrator (locked: two administrators
    demoting each other at once cannot both succeed)."""
    if user.role != Role.ADMIN or not user.is_active:
        return False
    admins = User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True)
    return not admins.exclude(pk=user.pk).exists()


def _last_admin_error(user: User, field: str) -> ValidationFailed:
    return ValidationFailed(
        _("%(name)s is the last active administrator: make another user an administrator first.")
        % {"name": user.get_username()},
        field=field,
    )


def _set_password(user: User, password: str | None) -> None:
    if not password:
        user.set_unusable_password()  # invited: signs in once an administrator sets one
        return
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="password") from exc
    user.set_password(password)


@transaction.atomic
def user_create(
    *,
    by: User | None,
    username: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    role: str = Role.SALES_REP,
    language: str = "",
    teams: Iterable[Team] = (),
    managed_teams: Iterable[Team] = (),
    password: str | None = None,
) -> User:
    """A new user (no password: he cannot sign in until one is set)."""
    ensure_can(by, "accounts.manage_users")
    user = User(
        username=(username or "").strip(),
        email=(email or "").strip(),
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        role=role,
        language=language or "",
    )
    _check_user(user)
    _set_password(user, password)
    user.save()
    user.teams.set(list(teams))
    user.managed_teams.set(list(managed_teams))
    audit_record(
        kind="user_created",
        user=by,
        target=user.get_username(),
        target_id=user.pk,
        role=user.role,
        teams=sorted(t.name for t in user.teams.all()),
        sign_in_disabled=not password,
    )
    emit(
        "user.created",
        user_id=user.pk,
        role=user.role,
        team_ids=sorted(t.pk for t in user.teams.all()),
        by=_pk(by),
    )
    return user


def _describe(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        return sorted(str(v) for v in value)
    return value


@transaction.atomic
def user_update(*, by: User | None, user: User, changes: dict[str, Any]) -> User:
    """Change ``user``'s name, e-mail, role, language, teams or managed teams."""
    ensure_can(by, "accounts.manage_users")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(names)s.") % {"names": ", ".join(unknown)},
            field=unknown[0],
        )
    changes = {k: list(v or []) if k in _RELATIONS else v for k, v in changes.items()}
    before: dict[str, Any] = {}
    for name in EDITABLE:
        if name in changes:
            current = getattr(user, name)
            before[name] = list(current.all()) if name in _RELATIONS else current
    role = changes.get("role", user.role)
    if role != Role.ADMIN and _is_last_admin(user):
        raise _last_admin_error(user, "role")
    for name, value in changes.items():
        if name not in _RELATIONS:
            setattr(user, name, (value or "").strip() if isinstance(value, str) else value)
    _check_user(user)
    user.save()
    for name in _RELATIONS:
        if name in changes:
            getattr(user, name).set(list(changes[name]))
    diff: dict[str, Any] = {
        name: [_describe(old), _describe(changes[name])]
        for name, old in before.items()
        if _describe(old) != _describe(changes[name])
    }
    if diff:
        audit_record(
            kind="user_changed", user=by, target=user.get_username(), target_id=user.pk, **diff
        )
        emit("user.updated", user_id=user.pk, fields=sorted(diff), role=user.role, by=_pk(by))
    return user


@transaction.atomic
def user_deactivate(*, by: User | None, user: User) -> User:
    """``user`` can no longer sign in nor use his API tokens; nothing of his is deleted."""
    ensure_can(by, "accounts.manage_users")
    if by is not None and by.pk == user.pk:
        raise ValidationFailed(_("You cannot deactivate yourself."), field="is_active")
    if not user.is_active:
        return user
    if _is_last_admin(user):
        raise _last_admin_error(user, "is_active")
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(kind="user_deactivated", user=by, target=user.get_username(), target_id=user.pk)
    emit("user.deactivated", user_id=user.pk, by=_pk(by))
    return user


@transaction.atomic
def user_reactivate(*, by: User | None, user: User) -> User:
    ensure_can(by, "accounts.manage_users")
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(kind="user_reactivated", user=by, target=user.get_username(), target_id=user.pk)
    emit("user.reactivated", user_id=user.pk, by=_pk(by))
    return user


# --- the set-password link (an invited user's way in) ----------------------------------


def user_password_link(*, by: User | None, user: User) -> str:
    """The path of a signed link that lets ``user`` choose his password. It expires after
    ``PASSWORD_RESET_TIMEOUT`` and works once: it signs his password hash and last
    sign-in, which setting the password changes."""
    ensure_can(by, "accounts.manage_users")
    if not user.is_active:
        raise ValidationFailed(_("This user is deactivated."), field="user")
    audit_record(kind="user_changed", user=by, target=user.get_username(), link="set_password")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:password_set", args=[uid, token])


def user_from_password_link(*, uid: str, token: str) -> User | None:
    """The active user a set-password link is for, or None (expired, used, tampered)."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first() if pk < 2**63 else None
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user
