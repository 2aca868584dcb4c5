"""The portal's forms: they parse what the customer typed (a date); the services
validate, lengths included (no ``max_length`` here: a value a form refused would reach
the service empty and be taken for "not given")."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.core.forms import StyledForm
from panorama.service.models import Case


class SignInForm(StyledForm):
    email = forms.CharField(
        label=_("Your e-mail address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )


class CaseForm(StyledForm):
    # A select to choose from; the value is checked by the service (case_open).
    type = forms.CharField(
        label=_("What is it about?"), widget=forms.Select(choices=Case.Type.choices)
    )
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 200}),
    )
    description = forms.CharField(
        label=_("Tell us more"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class CallbackForm(StyledForm):
    phone = forms.CharField(
        label=_("Phone to call"),
        required=False,
        help_text=_("Empty: the phone we have for you."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    when = forms.DateTimeField(
        label=_("From when"),
        required=False,
        help_text=_("Empty: as soon as we can. We call within the two hours after it."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(
        label=_("What about?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
