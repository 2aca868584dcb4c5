"""Forms of the sign-in page and of password changes. They parse input; the rules live in
the backend (throttle) and in ``services.user_password_change`` (policy, what a change ends).
"""

from contextvars import ContextVar

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AdminPasswordChangeForm, AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from panorama.core.exceptions import DomainError

from .services import PasswordChanged, user_password_change


class LoginForm(AuthenticationForm):
    def get_invalid_login_error(self):
        """A refused attempt says why (the throttle's message), not "wrong password"."""
        throttled = getattr(self.request, "login_throttled", None)
        if throttled is not None:
            return ValidationError(str(throttled.message), code="throttled")
        return super().get_invalid_login_error()


class PasswordChangeForm(forms.Form):
    """A signed-in user's own change: his current password, then the new one twice."""

    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_old_password(self):
        # Through authenticate(), so guessing it here is throttled and audited like a sign-in.
        old = self.cleaned_data["old_password"]
        user = authenticate(self.request, username=self.request.user.get_username(), password=old)
        if user is None or user.pk != self.request.user.pk:
            throttled = getattr(self.request, "login_throttled", None)
            if throttled is not None:
                raise ValidationError(str(throttled.message), code="throttled")
            raise ValidationError(_("This is not your current password."), code="wrong")
        return old

    def clean(self):
        data = super().clean() or {}
        new1, new2 = data.get("new_password1"), data.get("new_password2")
        if new1 and new2 and new1 != new2:
            self.add_error("new_password2", _("The two new passwords differ."))
        return data

    def save(self) -> PasswordChanged:
        try:
            return user_password_change(
                user=self.request.user,
                password=self.cleaned_data["new_password1"],
                by=self.request.user,
            )
        except DomainError as exc:
            self.add_error("new_password1", str(exc.message))
            raise


# Who is using the admin's "change password" page: its form is built by Django's view,
# which passes no request, so PanoramaUserAdmin.user_change_password sets this around it.
admin_password_change: ContextVar[dict] = ContextVar("admin_password_change")


class AdminPasswordForm(AdminPasswordChangeForm):
    """The admin's form to set a user's password, saved through the same service."""

    def save(self, commit=True):
        usable = self.cleaned_data.get("set_usable_password", True)
        state = admin_password_change.get()
        state["result"] = user_password_change(
            user=self.user,
            password=self.cleaned_data["password1"] if usable else None,
            by=state["by"],
        )
        return self.user
