"""Administration of staff: users with their role and teams, teams, API tokens.

Tokens are listed, never shown (only their hash is stored) and revoked through the
service, so the revocation is audited like one from the command line.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin, sensitive_post_parameters_m
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from .forms import AdminPasswordForm, admin_password_change
from .models import ApiToken, LoginThrottle, Team, User
from .services import api_token_revoke


@admin.register(User)
class PanoramaUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "teams")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Panorama"), {"fields": ("role", "teams", "managed_teams", "language")}),
    )
    filter_horizontal = ("teams", "managed_teams", "groups", "user_permissions")
    change_password_form = AdminPasswordForm

    def get_urls(self):
        """Django's URLs, the password page saying which methods it takes (GET, POST)."""
        page = require_http_methods(["GET", "POST"])(self.user_change_password)
        return [
            path(
                "<id>/password/",
                self.admin_site.admin_view(page),
                name="auth_user_password_change",
            ),
            *(u for u in super().get_urls() if u.name != "auth_user_password_change"),
        ]

    @sensitive_post_parameters_m
    def user_change_password(self, request, id, form_url=""):
        """Django's page, with the password set by ``user_password_change`` (the form
        reads who is acting from ``admin_password_change``), and a word on the tokens."""
        state = {"by": request.user, "result": None}
        reset = admin_password_change.set(state)
        try:
            response = super().user_change_password(request, id, form_url)
        finally:
            admin_password_change.reset(reset)
        result = state["result"]
        if result is not None:
            self.message_user(
                request,
                _("%(user)s's other sessions were signed out.")
                % {"user": result.user.get_username()}
                + " "
                + ngettext(
                    "%(n)d API token was revoked.",
                    "%(n)d API tokens were revoked.",
                    result.tokens_revoked,
                )
                % {"n": result.tokens_revoked},
                messages.WARNING if result.tokens_revoked else messages.INFO,
            )
        return response


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "parent")
    search_fields = ("name",)
    autocomplete_fields = ("parent",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "user__username")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # created with `panorama token create`: the key is shown only there

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            api_token_revoke(token=token, by=request.user)
        self.message_user(
            request,
            ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", len(tokens))
            % {"n": len(tokens)},
            messages.SUCCESS,
        )


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    """Who is being throttled; deleting a row lifts its lock (e.g. after a user called)."""

    list_display = ("scope", "key", "failures", "last_failure_at", "locked_until")
    list_filter = ("scope",)
    search_fields = ("key",)
    readonly_fields = ("scope", "key", "failures", "last_failure_at", "locked_until")

    def has_add_permission(self, request) -> bool:
        return False
