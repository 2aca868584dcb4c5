"""Forms of the sign-in page and of password changes. They parse input; the rules live in
the backend (throttle) and in ``services.user_password_change`` (policy, what a change ends).
"""

from contextvars import ContextVar
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AdminPasswordChangeForm, AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from panorama.core.exceptions import DomainError
from panorama.core.forms import StyledForm  # the one form look (customers/_form.html)

from .models import Role, Team, User
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


# --- the staff screens: they parse, the services (services/users.py, teams.py) decide ----


def _teams_field(label: Any) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )


def _users_field(label: Any) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label,
        # Deactivated users too: a form sends the whole set, and one left out of the
        # choices would silently leave the team.
        queryset=User.objects.order_by("username"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class UserEditForm(StyledForm):
    first_name = forms.CharField(label=_("First name"), required=False)
    last_name = forms.CharField(label=_("Last name"), required=False)
    email = forms.CharField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Follow the browser")), ("en", _("English")), ("es", _("Spanish"))],
    )
    teams = _teams_field(_("Teams"))
    managed_teams = _teams_field(_("Manages the teams"))

    @staticmethod
    def initial_of(user: User) -> dict[str, Any]:
        return {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "role": user.role,
            "language": user.language,
            "teams": list(user.teams.all()),
            "managed_teams": list(user.managed_teams.all()),
        }


class UserCreateForm(UserEditForm):
    username = forms.CharField(label=_("Username"))
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        help_text=_("Leave it empty to invite: the user cannot sign in until one is set."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = ["username", "first_name", "last_name", "email", "role", "language"]


class TeamForm(StyledForm):
    name = forms.CharField(label=_("Name"))
    parent = forms.ModelChoiceField(
        label=_("Under the team"), queryset=Team.objects.order_by("name"), required=False
    )
    members = _users_field(_("Members"))
    managers = _users_field(_("Managers"))

    @staticmethod
    def initial_of(team: Team) -> dict[str, Any]:
        return {
            "name": team.name,
            "parent": team.parent,
            "members": list(team.members.all()),
            "managers": list(team.managers.all()),
        }


class TokenForm(StyledForm):
    user = forms.ModelChoiceField(
        label=_("User"), queryset=User.objects.filter(is_active=True).order_by("username")
    )
    name = forms.CharField(
        label=_("Name"), help_text=_("What will use it, e.g. “ERP sync”."), max_length=100
    )


class PasswordSetForm(forms.Form):
    """An invited user chooses his password (the set-password link): twice, then the
    same service and policy as every other change."""

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

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean() or {}
        new1, new2 = data.get("new_password1"), data.get("new_password2")
        if new1 and new2 and new1 != new2:
            self.add_error("new_password2", _("The two new passwords differ."))
        return data

    def save(self) -> PasswordChanged:
        try:
            return user_password_change(
                user=self.user, password=self.cleaned_data["new_password1"], by=self.user
            )
        except DomainError as exc:
            self.add_error("new_password1", str(exc.message))
            raise
