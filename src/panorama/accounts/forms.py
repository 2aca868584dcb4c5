"""Forms of the sign-in pages and of password changes. They parse input; the rules live
in the backend (throttle) and in ``services.user_password_change``."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


class ThrottleMessageMixin:
    """A refused attempt says why (the throttle's message), not "wrong password"."""

    def get_invalid_login_error(self):
        throttled = getattr(self.request, "login_throttled", None)
        if throttled is not None:
            return ValidationError(str(throttled.message), code="throttled")
        return super().get_invalid_login_error()


class LoginForm(ThrottleMessageMixin, AuthenticationForm):
    pass
