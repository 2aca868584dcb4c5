"""HTML forms: they only parse what the user typed; the services validate and write."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Team, User
from panorama.core.forms import DecimalField, ServiceForm, StyledForm, text_input

from .models import (
    Address,
    BillingIncident,
    Consent,
    Customer,
    CustomFieldDefinition,
    Group,
    GroupMembership,
    Holding,
    Identity,
)


def _choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A model choice field of ``form``, to set its queryset per request."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


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


# --- editing the ficha ---------------------------------------------------------------
# These forms only parse what was typed (types, choices, required); every rule lives in
# the service the action calls, which answers the same error to the web, the API and an
# import. Sizes are only hints (``text_input``): the service's check is the rule.


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CustomerEditForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Customer.Kind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Customer.Status.choices)
    first_name = forms.CharField(
        label=_("First name"), required=False, widget=text_input(Customer, "first_name")
    )
    last_name = forms.CharField(
        label=_("Last name"), required=False, widget=text_input(Customer, "last_name")
    )
    legal_name = forms.CharField(
        label=_("Legal name"), required=False, widget=text_input(Customer, "legal_name")
    )
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", "—"), *[(code, name) for code, name in settings.LANGUAGES]],
    )
    owner = forms.ModelChoiceField(
        label=_("Account manager"), required=False, queryset=User.objects.none()
    )
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.none())
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, definitions=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "owner").queryset = User.objects.filter(is_active=True).order_by("username")
        _choices(self, "team").queryset = Team.objects.order_by("name")
        # Custom fields as typed text (a select for yes/no and choices): the service
        # coerces and validates them with the rest.
        for definition in definitions:
            name = f"cf_{definition.key}"
            if definition.type == definition.Type.BOOLEAN:
                choices = [("", "—"), ("true", _("yes")), ("false", _("no"))]
                field: forms.Field = forms.ChoiceField(choices=choices)
            elif definition.type == definition.Type.CHOICE:
                field = forms.ChoiceField(
                    choices=[("", "—"), *[(c, c) for c in definition.choices]]
                )
            elif definition.type == definition.Type.DATE:
                field = forms.CharField(widget=DATE)
            else:
                field = forms.CharField()
            field.label = definition.label
            field.required = False
            self.fields[name] = field
        self.style()

    def values(self) -> dict:
        """The changes for ``customer_update``: custom fields gathered under their key."""
        data = dict(self.cleaned_data)
        custom = {k[3:]: data.pop(k) for k in list(data) if k.startswith("cf_")}
        custom = {k: (v if v not in ("true", "false") else v == "true") for k, v in custom.items()}
        data["custom_fields"] = {k: (None if v == "" else v) for k, v in custom.items()}
        return data


class IdentityForm(StyledForm):
    field_aliases = {kind: "value" for kind in Identity.Kind.values}
    kind = forms.ChoiceField(label=_("Kind"), choices=Identity.Kind.choices)
    value = forms.CharField(label=_("Value"), widget=text_input(Identity, "value"))
    label = forms.CharField(
        label=_("Label (e.g. mobile, work)"), required=False, widget=text_input(Identity, "label")
    )
    is_primary = forms.BooleanField(label=_("Primary of its kind"), required=False)


class AddressForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Address.Kind.choices)
    line1 = forms.CharField(label=_("Address"), required=False, widget=text_input(Address, "line1"))
    line2 = forms.CharField(
        label=_("Address (more)"), required=False, widget=text_input(Address, "line2")
    )
    postal_code = forms.CharField(
        label=_("Postal code"), required=False, widget=text_input(Address, "postal_code")
    )
    city = forms.CharField(label=_("City"), required=False, widget=text_input(Address, "city"))
    region = forms.CharField(
        label=_("Region"), required=False, widget=text_input(Address, "region")
    )
    country = forms.CharField(
        label=_("Country (ISO code)"), initial="ES", widget=text_input(Address, "country")
    )
    is_primary = forms.BooleanField(label=_("Primary address"), required=False)


class ConsentForm(StyledForm):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Consent.Purpose.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Consent.Channel.choices)
    granted = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("true", _("granted")), ("false", _("refused"))],
        coerce=lambda value: value == "true",
    )
    source = forms.CharField(
        label=_("Source (e.g. phone call, signed form)"),
        required=False,
        widget=text_input(Consent, "source"),
    )


class HoldingForm(StyledForm):
    product_code = forms.CharField(
        label=_("Product code"), widget=text_input(Holding, "product_code")
    )
    product_name = forms.CharField(label=_("Product"), widget=text_input(Holding, "product_name"))
    category = forms.CharField(
        label=_("Category"), required=False, widget=text_input(Holding, "category")
    )
    status = forms.ChoiceField(label=_("Status"), choices=Holding.Status.choices)
    start_date = forms.DateField(label=_("Since"), widget=DATE)
    end_date = forms.DateField(label=_("Until"), required=False, widget=DATE)
    price = DecimalField(label=_("Price"), max_digits=12, decimal_places=2, initial=0)
    currency = forms.CharField(
        label=_("Currency"), initial="EUR", widget=text_input(Holding, "currency")
    )


class BillingIncidentForm(StyledForm):
    kind = forms.ChoiceField(label=_("Incident"), choices=BillingIncident.Kind.choices)
    reference = forms.CharField(
        label=_("Reference"), widget=text_input(BillingIncident, "reference")
    )
    amount = DecimalField(label=_("Amount"), max_digits=12, decimal_places=2)
    due_date = forms.DateField(label=_("Due"), required=False, widget=DATE)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class GroupJoinForm(StyledForm):
    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.none(), required=False)
    new_group = forms.CharField(
        label=_("…or a new group named"), required=False, widget=text_input(Group, "name")
    )
    new_group_kind = forms.ChoiceField(
        label=_("Kind of the new group"), choices=Group.Kind.choices, required=False
    )
    role = forms.ChoiceField(label=_("Role in the group"), choices=GroupMembership.Role.choices)

    def __init__(self, *args, groups=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if groups is not None:
            _choices(self, "group").queryset = groups

    def clean(self):
        data = super().clean() or {}
        if not data.get("group") and not (data.get("new_group") or "").strip():
            raise forms.ValidationError(_("Choose a group or name a new one."))
        return data


class ConfirmForm(StyledForm):
    """A removal: nothing to type, the button is the decision."""


class CustomFieldForm(StyledForm):
    """A custom field's definition (the administrators' screen); the key and the type
    are asked only when it is created (``custom_field_update`` refuses to change them)."""

    key = forms.SlugField(
        label=_("Key"),
        max_length=50,
        help_text=_("Letters, digits, hyphens, underscores; the API and the import use it."),
    )
    label = forms.CharField(label=_("Label"), max_length=100)
    type = forms.ChoiceField(label=_("Type"), choices=CustomFieldDefinition.Type.choices)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        help_text=_("For a choice field: one per line."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)
    required = forms.BooleanField(label=_("Required"), required=False)
    searchable = forms.BooleanField(label=_("Searchable"), required=False)

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["key"]
            del self.fields["type"]

    @staticmethod
    def initial_of(definition: CustomFieldDefinition) -> dict:
        return {
            "label": definition.label,
            "choices": "\n".join(definition.choices or []),
            "position": definition.position,
            "required": definition.required,
            "searchable": definition.searchable,
        }
