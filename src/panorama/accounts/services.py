import secrets
from datetime import timedelta

from django.db import transaction
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
    """The active user owning ``key``, or None. One query in the steady state."""
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def user_get_by_username(*, username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise NotFound(_("No user named “%(username)s”.") % {"username": username}) from exc
