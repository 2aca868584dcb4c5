"""Password rules beyond Django's own (see AUTH_PASSWORD_VALIDATORS in the settings)."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SHIPPED_LIST = Path(__file__).resolve().parent / "data" / "leaked-passwords.txt.gz"


class LeakedPasswordValidator(CommonPasswordValidator):
    """Refuses a password found in a local list of leaked passwords: never asks the network.

    The list shipped (``data/leaked-passwords.txt.gz``, made by
    ``scripts/leaked_passwords.py``) holds the commonest leaked passwords and Spanish
    words with the digits, years and symbols people append to pass a length rule.
    ``PANORAMA_LEAKED_PASSWORDS_FILE`` points to a larger local list instead (one password a
    line, lower-cased, plain or gzip), e.g. an offline copy of a breach corpus.
    """

    def __init__(self, password_list_path=None):
        path = password_list_path or settings.PANORAMA_LEAKED_PASSWORDS_FILE or SHIPPED_LIST
        super().__init__(password_list_path=path)

    def validate(self, password, user=None):
        if password.lower().strip() in self.passwords:
            raise ValidationError(self.get_error_message(), code="password_leaked")

    def get_error_message(self):
        return _("This password appears in a list of leaked passwords.")

    def get_help_text(self):
        return _("Your password can’t be one known from leaked password lists.")
