import functools
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from panorama.core.exceptions import DomainError, NotFound, PermissionDenied, ValidationFailed
from panorama.core.services import audit_record
from panorama.core.validation import rules_for

from ..models import ApiToken, LoginThrottle, Role, User

TOKEN_PREFIX = "pan_"  # noqa: S105 - a visible prefix, not a secret
# last_used_at is informative: write it at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


@transaction.atomic
def api_token_create(
    *, user: User, name: str = "default", by: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the clear key (shown only once).
    ``by``: the administrator who issued it, recorded as the audit's actor."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:12], key_hash=ApiToken.hash_key(key)
    )
    extra = {"target": user.get_username()} if by is not None and by.pk != user.pk else {}
    audit_record(kind="token_created", user=by or user, token=token.prefix, name=name, **extra)
    return token, key


@transaction.atomic
def api_token_issue(*, by: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """A user issues himself a token, an administrator issues one to any active user;
    the clear key is returned once, to be shown once."""
    from ..permissions import ensure_can

    if by is None or by.pk != user.pk:
        ensure_can(by, "accounts.manage_tokens")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the token a name, e.g. what will use it."), field="name")
    rules_for(ApiToken).check_values({"name": name})
    if not user.is_active:
        raise ValidationFailed(_("This user is deactivated."), field="user")
    return api_token_create(user=user, name=name, by=by)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None = None) -> ApiToken:
    """Revoke ``token``: by its owner, by an administrator (the admin role or the Django
    permission to change API tokens, as the admin's action needs), or from the server's
    command line (``by`` None)."""
    if (
        by is not None
        and by.pk != token.user_id
        and by.role != Role.ADMIN
        and not by.has_perm("accounts.change_apitoken")
    ):
        raise PermissionDenied(_("Only an administrator can revoke another user's API token."))
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(kind="token_revoked", user=by or token.user, token=token.prefix)
    return token


def api_token_authenticate(*, key: str) -> User | None:
    """The active user owning ``key``, or None. One query in the steady state.

    Every API call runs this, so it is one prepared SQL statement rather than a queryset:
    compiling the equivalent ``select_related`` query cost 0.7 ms a request, four
    times what the database needs to answer it.
    """
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    stale_before = timezone.now() - LAST_USED_RESOLUTION
    params = [connection.ops.adapt_datetimefield_value(stale_before), ApiToken.hash_key(key)]
    user = next(iter(User.objects.raw(_token_sql(), params)), None)
    if user is None:
        return None
    token: Any = user  # the statement's extra columns: token_id, token_stale
    if token.token_stale:
        ApiToken.objects.filter(pk=token.token_id).update(last_used_at=timezone.now())
    return user


@functools.cache
def _token_sql() -> str:
    q = connection.ops.quote_name
    token, user = q(ApiToken._meta.db_table), q(User._meta.db_table)
    return (
        f"SELECT {user}.*, {token}.{q('id')} AS token_id, "  # noqa: S608 - names from models
        f"({token}.{q('last_used_at')} IS NULL OR {token}.{q('last_used_at')} < %s) "
        f"AS token_stale FROM {token} JOIN {user} ON {user}.{q('id')} = {token}.{q('user_id')} "
        f"WHERE {token}.{q('key_hash')} = %s AND {token}.{q('revoked_at')} IS NULL "
        f"AND {user}.{q('is_active')}"
    )


@dataclass(frozen=True)
class PasswordChanged:
    user: User
    tokens_revoked: int  # the user's API tokens that stopped working


@transaction.atomic
def user_password_change(*, user: User, password: str | None, by: User | None) -> PasswordChanged:
    """Give ``user`` a new password (None: no password, sign-in disabled), by himself, by
    an administrator (``by``), or from the server's command line (``by`` None).

    Every path that sets a password calls this, so the rule holds for all: the policy of
    AUTH_PASSWORD_VALIDATORS, and whoever held the old password loses what it gave him.
    His other sessions end (they carry a hash of the old password, which Django checks on
    every request; the caller keeps its own with ``update_session_auth_hash``) and his API
    tokens are revoked (a token is as good as the password that was used to get it).
    """
    if by is not None and by.pk != user.pk and not by.has_perm("accounts.change_user"):
        raise PermissionDenied(_("Only an administrator can set another user's password."))
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed(" ".join(exc.messages), field="password") from exc
        user.set_password(password)
    user.save(update_fields=["password"])
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
    audit_record(
        kind="password_changed",
        user=by or user,
        target=user.get_username(),
        sign_in_disabled=password is None,
        tokens_revoked=[t.prefix for t in tokens],
    )
    return PasswordChanged(user=user, tokens_revoked=len(tokens))


def user_get_by_username(*, username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise NotFound(_("No user named “%(username)s”.") % {"username": username}) from exc


# --- sign-in throttle -----------------------------------------------------------------


class LoginThrottled(DomainError):
    """Too many failed sign-ins for this username or from this address. The message is
    the same whether or not the username exists (nothing is looked up to write it)."""

    status_code = 429
    code = "throttled"

    def __init__(self, *, retry_after: int, scopes: list[str]):
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            ngettext(
                "Too many failed sign-in attempts. Try again in %(n)d minute.",
                "Too many failed sign-in attempts. Try again in %(n)d minutes.",
                minutes,
            )
            % {"n": minutes}
        )
        self.retry_after = retry_after
        self.scopes = scopes


@dataclass(frozen=True)
class LoginAttempt:
    """A sign-in attempt counted in advance as a failure (see ``login_attempt_begin``)."""

    keys: tuple[tuple[str, str], ...]
    lock_seconds: int  # the lock this attempt starts if its password is wrong (0: none)


def _throttle_keys(username: str, ip_address: str | None) -> tuple[tuple[str, str], ...]:
    keys = [(LoginThrottle.Scope.ACCOUNT.value, username.strip().lower()[:150])]
    if ip_address:
        keys.append((LoginThrottle.Scope.ADDRESS.value, ip_address))
    return tuple(keys)


def _throttle_limit(scope: str) -> int:
    if scope == LoginThrottle.Scope.ACCOUNT:
        return settings.PANORAMA_LOGIN_ACCOUNT_LIMIT
    return settings.PANORAMA_LOGIN_ADDRESS_LIMIT


def _lock_seconds(failures: int, limit: int) -> int:
    """No lock below the limit; from it, the base lock doubled at each further failure."""
    if failures < limit:
        return 0
    doublings = min(failures - limit, 20)
    return min(
        settings.PANORAMA_LOGIN_LOCK_SECONDS * 2**doublings,
        settings.PANORAMA_LOGIN_MAX_LOCK_SECONDS,
    )


def login_attempt_begin(*, username: str, ip_address: str | None) -> LoginAttempt:
    """Let one sign-in attempt check its password, or refuse it while a lock holds.

    The attempt is counted as a failure *before* the password is checked, under a row
    lock: parallel attempts queue on the row and each sees the ones before it, so no
    number of clients gets more tries than the limit. ``login_attempt_succeeded`` takes
    the count back when the password was right. Raises ``LoginThrottled`` (audited by
    the caller through the failed-login signal).
    """
    now = timezone.now()
    keys = _throttle_keys(username, ip_address)
    forget_before = now - timedelta(seconds=settings.PANORAMA_LOGIN_FORGET_SECONDS)
    with transaction.atomic():
        rows, any_created = [], False
        for scope, key in keys:
            row, created = LoginThrottle.objects.select_for_update().get_or_create(
                scope=scope, key=key, defaults={"last_failure_at": now}
            )
            any_created |= created
            if row.last_failure_at < forget_before and not _is_locked(row, now):
                row.failures, row.locked_until = 0, None
            rows.append(row)
        locked = [row for row in rows if _is_locked(row, now)]
        if locked:
            until = max(row.locked_until for row in locked if row.locked_until is not None)
            retry_after = max(1, math.ceil((until - now).total_seconds()))
            throttled = LoginThrottled(
                retry_after=retry_after, scopes=sorted({row.scope for row in locked})
            )
        else:
            throttled = None
            lock_seconds = 0
            for row in rows:
                row.failures += 1
                row.last_failure_at = now
                seconds = _lock_seconds(row.failures, _throttle_limit(row.scope))
                if seconds:
                    row.locked_until = now + timedelta(seconds=seconds)
                    lock_seconds = max(lock_seconds, seconds)
                row.save(update_fields=["failures", "last_failure_at", "locked_until"])
    if throttled is not None:
        raise throttled
    if any_created:  # the table grows: forget the streaks nobody has continued
        LoginThrottle.objects.filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now),
            last_failure_at__lt=forget_before,
        ).delete()
    return LoginAttempt(keys=keys, lock_seconds=lock_seconds)


def _is_locked(row: LoginThrottle, now: datetime) -> bool:
    return row.locked_until is not None and row.locked_until > now


@transaction.atomic
def login_attempt_succeeded(*, attempt: LoginAttempt) -> None:
    """The password was right: the username's streak ends, and the address gets back the
    failure counted in advance (its other failures stand: they were someone's)."""
    for scope, key in attempt.keys:
        if scope == LoginThrottle.Scope.ACCOUNT:
            LoginThrottle.objects.filter(scope=scope, key=key).delete()
            continue
        row = LoginThrottle.objects.select_for_update().filter(scope=scope, key=key).first()
        if row is None:
            continue
        row.failures = max(0, row.failures - 1)
        if row.failures < _throttle_limit(scope):
            row.locked_until = None
        row.save(update_fields=["failures", "locked_until"])


from .teams import team_create, team_update  # noqa: E402
from .users import (  # noqa: E402
    user_create,
    user_deactivate,
    user_from_password_link,
    user_password_link,
    user_reactivate,
    user_update,
)

__all__ = [
    "LoginThrottled",
    "PasswordChanged",
    "api_token_authenticate",
    "api_token_create",
    "api_token_issue",
    "api_token_revoke",
    "login_attempt_begin",
    "login_attempt_succeeded",
    "team_create",
    "team_update",
    "user_create",
    "user_deactivate",
    "user_from_password_link",
    "user_get_by_username",
    "user_password_change",
    "user_password_link",
    "user_reactivate",
    "user_update",
]
