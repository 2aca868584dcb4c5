"""Configuring the channel adapters (administrators, ``channels.configure_channels``):
sending identities, e-mail templates, messaging accounts and branches. Each admin form
is checked by the same service the API calls (a dry run in a rolled-back savepoint), and
saved through it: one validation, one clear error beside the field."""

import copy

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from panorama.core.exceptions import DomainError

from .models import (
    Branch,
    ChatMessage,
    Conversation,
    Fax,
    MailTemplate,
    MessagingAccount,
    SendingIdentity,
    SentMail,
)
from .outbound.services import mail_template_save, sending_identity_save
from .sms.services import messaging_account_save
from .visits.services import branch_save


class _DryRun(Exception):
    pass


class ServiceForm(forms.ModelForm):
    """A model form whose instance is validated by the app's service."""

    request_user = None

    def service_save(self, instance):  # pragma: no cover - overridden
        raise NotImplementedError

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if self.errors:
            return
        try:
            with transaction.atomic():
                self.service_save(copy.copy(self.instance))
                raise _DryRun
        except _DryRun:
            pass
        except DomainError as exc:
            field = exc.field if exc.field in self.fields else None
            self.add_error(field, str(exc.message))


class ConfigureOnly:
    """Shown to and editable by staff who configure channels."""

    def _may(self, request) -> bool:
        from panorama.accounts.permissions import can

        return (
            request.user.is_active
            and request.user.is_staff
            and can(request.user, "channels.configure_channels")
        )

    def has_module_permission(self, request) -> bool:
        return self._may(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._may(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may(request)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        form.request_user = request.user
        return form

    def save_model(self, request, obj, form, change) -> None:
        form.service_save(obj)

    def save_related(self, request, form, formsets, change) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)  # type: ignore[attr-defined]


class IdentityForm(ServiceForm):
    class Meta:
        model = SendingIdentity
        fields = ["name", "from_address", "display_name", "signature", "owner", "users", "active"]

    def service_save(self, instance):
        users = self.cleaned_data.get("users") or []
        return sending_identity_save(
            by=self.request_user, identity=instance, user_ids=[u.pk for u in users]
        )


@admin.register(SendingIdentity)
class SendingIdentityAdmin(ConfigureOnly, admin.ModelAdmin):
    form = IdentityForm
    list_display = ["name", "from_address", "display_name", "owner", "active"]
    filter_horizontal = ["users"]


class TemplateForm(ServiceForm):
    class Meta:
        model = MailTemplate
        fields = ["name", "language", "subject", "body", "active"]

    def service_save(self, instance):
        return mail_template_save(by=self.request_user, template=instance)


@admin.register(MailTemplate)
class MailTemplateAdmin(ConfigureOnly, admin.ModelAdmin):
    form = TemplateForm
    list_display = ["name", "language", "subject", "active"]
    list_filter = ["language"]


class AccountForm(ServiceForm):
    api_url = forms.URLField(label=_("provider API URL"), assume_scheme="https")
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown. Leave empty to keep the current one."),
    )

    class Meta:
        model = MessagingAccount
        fields = ["name", "kind", "provider", "number", "api_url", "webhook_secret", "active"]

    def service_save(self, instance):
        return messaging_account_save(
            by=self.request_user, account=instance, api_key=self.cleaned_data.get("api_key")
        )


@admin.register(MessagingAccount)
class MessagingAccountAdmin(ConfigureOnly, admin.ModelAdmin):
    form = AccountForm
    list_display = ["name", "kind", "number", "active", "webhook"]
    readonly_fields = ["webhook"]

    @admin.display(description=_("Webhook"))
    def webhook(self, obj: MessagingAccount) -> str:
        return f"/api/v1/channels/messaging/{obj.pk}/webhook" if obj.pk else "—"


class BranchForm(ServiceForm):
    class Meta:
        model = Branch
        fields = ["code", "name", "address", "active"]

    def service_save(self, instance):
        return branch_save(by=self.request_user, branch=instance)


@admin.register(Branch)
class BranchAdmin(ConfigureOnly, admin.ModelAdmin):
    form = BranchForm
    list_display = ["code", "name", "address", "active"]


class ReadOnly(ConfigureOnly):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SentMail)
class SentMailAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["subject", "to_address", "identity", "status", "sent_at"]
    list_filter = ["status"]
    search_fields = ["message_id", "to_address"]


@admin.register(Fax)
class FaxAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["number", "direction", "status", "pages", "created_at"]
    list_filter = ["status", "direction"]


class ChatMessageInline(admin.TabularInline):
    model = ChatMessage
    extra = 0
    fields = ("author", "agent", "body", "created_at")
    readonly_fields = fields


@admin.register(Conversation)
class ConversationAdmin(ReadOnly, admin.ModelAdmin):
    """Read-only: chats are answered on the Chats page, through the services."""

    list_display = ["name", "site", "status", "agent", "customer", "started_at"]
    list_filter = ["status"]
    search_fields = ["name", "email"]
    inlines = [ChatMessageInline]
