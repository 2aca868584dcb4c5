"""The mailbox form and the unknown-sender forms: they parse what was typed; the
services validate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import User
from panorama.core.forms import StyledForm, text_input
from panorama.service.models import Queue

from .models import Mailbox


class MailboxForm(StyledForm):
    name = forms.CharField(label=_("Name"), widget=text_input(Mailbox, "name"))
    address = forms.CharField(
        label=_("Address"),
        help_text=_("The mailbox's own address: auto-replies come from it."),
        widget=forms.EmailInput,
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label=_("Shared mailbox"),
    )
    host = forms.CharField(label=_("IMAP host"), widget=text_input(Mailbox, "host"))
    port = forms.IntegerField(label=_("IMAP port"), initial=993)
    use_ssl = forms.BooleanField(label=_("SSL/TLS"), required=False, initial=True)
    username = forms.CharField(label=_("User name"), widget=text_input(Mailbox, "username"))
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown. Leave empty to keep the current one."),
    )
    folder = forms.CharField(label=_("Folder"), initial="INBOX")
    poll_seconds = forms.IntegerField(label=_("Poll every (seconds)"), initial=60)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    creates_cases = forms.BooleanField(label=_("Creates cases"), required=False)
    creates_leads = forms.BooleanField(
        label=_("Creates leads"),
        required=False,
        help_text=_(
            "Each message becomes a lead (source e-mail) or a note on the sender's open lead."
        ),
    )
    receives_faxes = forms.BooleanField(
        label=_("Fax gateway mailbox"),
        required=False,
        help_text=_("Messages here are faxes: their PDF/TIFF attachment is the fax."),
    )
    queue = forms.ModelChoiceField(
        label=_("Queue"), queryset=Queue.objects.filter(active=True), required=False
    )
    auto_reply = forms.BooleanField(
        label=_("Auto-reply to new cases"), required=False, initial=True
    )
    auto_reply_subject = forms.CharField(
        label=_("Auto-reply subject"),
        required=False,
        widget=text_input(Mailbox, "auto_reply_subject"),
        help_text=_(
            "Empty: the standard text. {{ case.reference }} and {{ subject }} are filled in."
        ),
    )
    auto_reply_body = forms.CharField(
        label=_("Auto-reply text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Empty: the standard text. {{ customer.display_name }}, {{ case.reference }} "
            "and {{ mailbox.name }} are filled in."
        ),
    )

    FIELDS = (
        "name",
        "address",
        "host",
        "port",
        "use_ssl",
        "username",
        "folder",
        "poll_seconds",
        "active",
        "creates_cases",
        "creates_leads",
        "receives_faxes",
        "auto_reply",
        "auto_reply_subject",
        "auto_reply_body",
    )

    @classmethod
    def initial_of(cls, mailbox: Mailbox) -> dict:
        initial = {name: getattr(mailbox, name) for name in cls.FIELDS}
        initial.update(owner=mailbox.owner_id, queue=mailbox.queue_id)
        return initial

    def apply(self, mailbox: Mailbox) -> Mailbox:
        data = self.cleaned_data
        for name in self.FIELDS:
            setattr(mailbox, name, data[name])
        mailbox.owner = data["owner"]
        mailbox.queue = data["queue"]
        return mailbox


class SenderCustomerForm(StyledForm):
    """A new customer for an unknown sender (his address becomes his e-mail)."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
