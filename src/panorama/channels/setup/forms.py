"""The channel setup forms: they parse what was typed; the services
(``sending_identity_save``, ``messaging_account_save``, ``tracked_site_save``,
``mail_template_save``) validate, as for the API and the admin."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import User
from panorama.automation.models import TrackedSite
from panorama.core.forms import StyledForm, text_input

from ..models import MailTemplate, MessagingAccount, SendingIdentity


def _users():
    return User.objects.filter(is_active=True).order_by("username")


class IdentityForm(StyledForm):
    name = forms.CharField(label=_("Name"), widget=text_input(SendingIdentity, "name"))
    from_address = forms.CharField(label=_("From address"), widget=forms.EmailInput)
    display_name = forms.CharField(
        label=_("Display name"), required=False, widget=text_input(SendingIdentity, "display_name")
    )
    signature = forms.CharField(
        label=_("Signature"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=_users(), required=False, empty_label=_("Shared identity")
    )
    users = forms.ModelMultipleChoiceField(
        label=_("Users"),
        queryset=_users(),
        required=False,
        help_text=_("Who may send from a shared identity (none: everyone who sends mail)."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    field_aliases = {"user_ids": "users"}
    FIELDS = ("name", "from_address", "display_name", "signature", "active")

    @classmethod
    def initial_of(cls, identity: SendingIdentity) -> dict:
        initial = {name: getattr(identity, name) for name in cls.FIELDS}
        initial.update(owner=identity.owner_id, users=list(identity.users.all()))
        return initial

    def apply(self, identity: SendingIdentity) -> SendingIdentity:
        for name in self.FIELDS:
            setattr(identity, name, self.cleaned_data[name])
        identity.owner = self.cleaned_data["owner"]
        return identity

    def user_ids(self) -> list[int]:
        return [u.pk for u in self.cleaned_data["users"]]


class AccountForm(StyledForm):
    name = forms.CharField(label=_("Name"), widget=text_input(MessagingAccount, "name"))
    kind = forms.ChoiceField(label=_("Kind"), choices=MessagingAccount.Kind.choices)
    provider = forms.ChoiceField(label=_("Provider"), choices=MessagingAccount.Provider.choices)
    number = forms.CharField(
        label=_("Our number"), help_text=_("E.164, e.g. +34600111222"), max_length=40
    )
    api_url = forms.CharField(label=_("Provider API URL"), widget=forms.URLInput)
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown. Leave empty to keep the current one."),
    )
    webhook_secret = forms.CharField(
        label=_("Webhook secret"),
        required=False,
        help_text=_("Empty: keep the current one (a new account gets a random one)."),
        widget=text_input(MessagingAccount, "webhook_secret"),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    FIELDS = ("name", "kind", "provider", "number", "api_url", "active")

    @classmethod
    def initial_of(cls, account: MessagingAccount) -> dict:
        return {name: getattr(account, name) for name in cls.FIELDS}

    def apply(self, account: MessagingAccount) -> MessagingAccount:
        for name in self.FIELDS:
            setattr(account, name, self.cleaned_data[name])
        if self.cleaned_data["webhook_secret"]:
            account.webhook_secret = self.cleaned_data["webhook_secret"]
        return account


class SiteForm(StyledForm):
    name = forms.CharField(label=_("Name"), widget=text_input(TrackedSite, "name"))
    origins = forms.CharField(
        label=_("Allowed origins"),
        help_text=_("One per line, e.g. https://www.bank.example"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    require_consent = forms.BooleanField(
        label=_("Cookie only after consent"), required=False, initial=True
    )
    rate_per_minute = forms.IntegerField(label=_("Requests a minute per address"), initial=600)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    FIELDS = ("name", "origins", "require_consent", "rate_per_minute", "active")

    @classmethod
    def initial_of(cls, site: TrackedSite) -> dict:
        return {name: getattr(site, name) for name in cls.FIELDS}

    def apply(self, site: TrackedSite) -> TrackedSite:
        for name in self.FIELDS:
            setattr(site, name, self.cleaned_data[name])
        return site


class MailTemplateForm(StyledForm):
    name = forms.CharField(label=_("Name"), widget=text_input(MailTemplate, "name"))
    language = forms.ChoiceField(label=_("Language"), choices=MailTemplate.Language.choices)
    subject = forms.CharField(label=_("Subject"), widget=text_input(MailTemplate, "subject"))
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Merge fields: {{ customer.first_name }}, {{ customer.display_name }}, "
            "{{ user.get_full_name }}; a field that does not exist is refused."
        ),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    preview_customer = forms.IntegerField(
        label=_("Preview for the customer number"), required=False, min_value=1
    )

    field_aliases = {"customer_id": "preview_customer"}
    FIELDS = ("name", "language", "subject", "body", "active")

    @classmethod
    def initial_of(cls, template: MailTemplate) -> dict:
        return {name: getattr(template, name) for name in cls.FIELDS}

    def apply(self, template: MailTemplate) -> MailTemplate:
        for name in self.FIELDS:
            setattr(template, name, self.cleaned_data[name])
        return template
