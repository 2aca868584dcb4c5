"""HTML forms: they only parse what the user typed; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.core.forms import ServiceForm, text_input

from .models import Address, Customer


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


class CustomerCreateForm(ServiceForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Customer.Kind.choices,
        initial=Customer.Kind.PERSON,
        widget=forms.RadioSelect,
    )
    # No limits of their own: customer_create checks every value against the model.
    first_name = forms.CharField(
        label=_("First name"), required=False, widget=text_input(Customer, "first_name")
    )
    last_name = forms.CharField(
        label=_("Last name"), required=False, widget=text_input(Customer, "last_name")
    )
    legal_name = forms.CharField(
        label=_("Legal name"), required=False, widget=text_input(Customer, "legal_name")
    )
    national_id = forms.CharField(label=_("National ID (DNI/NIE/CIF)"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False)
    email = forms.CharField(label=_("E-mail"), required=False)
    line1 = forms.CharField(label=_("Address"), required=False, widget=text_input(Address, "line1"))
    postal_code = forms.CharField(
        label=_("Postal code"), required=False, widget=text_input(Address, "postal_code")
    )
    city = forms.CharField(label=_("City"), required=False, widget=text_input(Address, "city"))
