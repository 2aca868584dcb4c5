from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.core.forms import StyledForm

from .models import MessagingAccount


class TextForm(StyledForm):
    account = forms.ModelChoiceField(
        label=_("Send through"), queryset=MessagingAccount.objects.filter(active=True)
    )
    number = forms.CharField(
        label=_("To"), required=False, help_text=_("Empty: the customer's primary phone.")
    )
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
