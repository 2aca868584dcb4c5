"""The portal's forms: they parse what the customer typed (a date); the services
validate, lengths included (no ``max_length`` here: a value a form refused would reach
the service empty and be taken for "not given")."""

from django import forms
from django.conf import settings
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


class DetailsForm(StyledForm):
    """What he types; the customers app's services validate it (no ``max_length`` or
    e-mail check here: their message is the one the staff and the API get)."""

    email = forms.CharField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    language = forms.CharField(
        label=_("Preferred language"),
        required=False,
        widget=forms.Select(choices=[("", "—"), *settings.LANGUAGES]),
    )
    line1 = forms.CharField(
        label=_("Street and number"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    line2 = forms.CharField(
        label=_("Floor, door (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    city = forms.CharField(
        label=_("City"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    region = forms.CharField(
        label=_("Province"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level1"}),
    )
    country = forms.CharField(
        label=_("Country (two-letter code)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "country", "autocapitalize": "characters"}),
    )

    def __init__(self, *args, language: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A language we hold for him that the site does not offer stays choosable, so
        # saving the form does not drop it.
        if language and language not in dict(settings.LANGUAGES):
            widget = self.fields["language"].widget
            widget.choices = [*widget.choices, (language, language)]
