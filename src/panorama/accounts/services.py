import functools
import secrets
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.core.exceptions import NotFound
from panorama.core.services import audit_record

from .models import ApiToken, User

TOKEN_PREFIX = "pan_"  # noqa: S105 - a visible prefix, not a secret
# last_used_at is informative: write it at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


@transaction.atomic
def api_token_create(*, user: User, name: str = "default") -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the clear key (shown only once)."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:12], key_hash=ApiToken.hash_key(key)
    )
    audit_record(kind="token_created", user=user, token=token.prefix, name=name)
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None = None) -> ApiToken:
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
    if user.token_stale:
        ApiToken.objects.filter(pk=user.token_id).update(last_used_at=timezone.now())
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


def user_get_by_username(*, username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise NotFound(_("No user named “%(username)s”.") % {"username": username}) from exc
