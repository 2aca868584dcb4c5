"""``panorama changepassword USER``: Django's command, saving through
``user_password_change`` so the user's other sessions end and his API tokens are revoked
as on every other path. (``panorama.accounts`` comes before ``django.contrib.auth`` in
INSTALLED_APPS so this command replaces Django's.)"""

import getpass
from typing import Any

from django.contrib.auth.management.commands import changepassword
from django.core.management.base import CommandError

from panorama.accounts.models import User
from panorama.accounts.services import user_password_change
from panorama.core.exceptions import DomainError


class Command(changepassword.Command):
    MAX_TRIES = 3

    def handle(self, *args, **options):
        username = options["username"] or getpass.getuser()
        try:
            user = User.objects.using(options["database"]).get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"user '{username}' does not exist") from exc
        self.stdout.write(f"Changing password for user '{user}'")
        django: Any = self  # Django's command reads passwords with its _get_pass
        for _try in range(self.MAX_TRIES):
            first = django._get_pass()
            if first != django._get_pass("Password (again): "):
                self.stdout.write("Passwords do not match. Please try again.")
                continue
            try:
                result = user_password_change(user=user, password=first, by=None)
            except DomainError as exc:
                self.stderr.write(str(exc.message))
                continue
            return (
                f"Password changed successfully for user '{user}'; his other sessions are "
                f"signed out and {result.tokens_revoked} API token(s) revoked."
            )
        raise CommandError(
            f"Aborting password change for user '{user}' after {self.MAX_TRIES} attempts"
        )
