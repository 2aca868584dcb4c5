"""The compose form of the ficha: it parses; mail_send validates."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.core.forms import StyledForm

from .models import MailTemplate, SendingIdentity


class ComposeForm(StyledForm):
    identity = forms.ModelChoiceField(label=_("From"), queryset=SendingIdentity.objects.none())
    template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=MailTemplate.objects.filter(active=True),
        required=False,
        empty_label=_("No template"),
        help_text=_("Fills the subject and the text you leave empty."),
    )
    to_address = forms.CharField(
        label=_("To"), required=False, help_text=_("Empty: the customer's primary address.")
    )
    subject = forms.CharField(label=_("Subject"), required=False)
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, identities=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["identity"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = identities if identities is not None else SendingIdentity.objects.none()
