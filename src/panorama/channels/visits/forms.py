from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.core.forms import StyledForm

from .models import Branch


class VisitForm(StyledForm):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.filter(active=True))
    method = forms.ChoiceField(
        label=_("Identified by"),
        choices=[("document", _("Identity document")), ("card", _("Card")), ("pin", _("PIN"))],
        initial="document",
    )
    value = forms.CharField(
        label=_("Document, card number or PIN"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Hidden as it is typed: a PIN is never shown."),
    )
    subject = forms.CharField(label=_("Reason for the visit"), required=False)
    body = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.CharField(label=_("Outcome"), required=False)
