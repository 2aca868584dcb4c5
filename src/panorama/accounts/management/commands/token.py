"""``panorama token create|revoke|list``: API bearer tokens from the shell."""

from django.core.management.base import BaseCommand, CommandError

from panorama.accounts.models import ApiToken
from panorama.accounts.services import api_token_create, api_token_revoke, user_get_by_username
from panorama.core.exceptions import NotFound


class Command(BaseCommand):
    help = "Create, revoke or list API tokens."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Print a new token for USERNAME (shown once).")
        create.add_argument("username")
        create.add_argument("--name", default="cli")
        revoke = actions.add_parser("revoke", help="Revoke the token starting with PREFIX.")
        revoke.add_argument("prefix")
        listing = actions.add_parser("list", help="List the tokens of USERNAME.")
        listing.add_argument("username")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _user(self, username):
        try:
            return user_get_by_username(username=username)
        except NotFound as exc:
            raise CommandError(f"No user named {username!r}.") from exc

    def _create(self, *, username, name, **options):
        user = self._user(username)
        if not user.is_active:
            raise CommandError(f"The user {username!r} is not active.")
        _token, key = api_token_create(user=user, name=name)
        self.stdout.write(key)

    def _revoke(self, *, prefix, **options):
        tokens = list(ApiToken.objects.filter(prefix__startswith=prefix, revoked_at__isnull=True))
        if len(prefix) < 6 or not tokens:
            raise CommandError(f"No active token starts with {prefix!r} (give at least 6 chars).")
        if len(tokens) > 1:
            raise CommandError(f"{len(tokens)} tokens start with {prefix!r}: give more of it.")
        api_token_revoke(token=tokens[0])
        self.stdout.write(f"Revoked {tokens[0].prefix}… of {tokens[0].user.username}.")

    def _list(self, *, username, **options):
        user = self._user(username)
        for token in user.api_tokens.order_by("created_at", "id"):
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.prefix}…  {token.name:<20} created {token.created_at:%Y-%m-%d}  "
                f"last used {used}  {state}"
            )
