"""HTML forms: they only parse what the user typed; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Customer


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Customer.Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Customer.Status.choices],
    )
    mine = forms.BooleanField(label=_("Only my customers"), required=False)
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)


class CustomerCreateForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Customer.Kind.choices,
        initial=Customer.Kind.PERSON,
        widget=forms.RadioSelect,
    )
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    legal_name = forms.CharField(label=_("Legal name"), required=False, max_length=200)
    national_id = forms.CharField(
        label=_("National ID (DNI/NIE/CIF)"), required=False, max_length=20
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    line1 = forms.CharField(label=_("Address"), required=False, max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=16)
    city = forms.CharField(label=_("City"), required=False, max_length=100)

    def add_domain_error(self, error) -> None:
        """Put a service's error on the field it names, or above the form."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error.message))
