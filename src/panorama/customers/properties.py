"""The ficha's properties, edited in place (``core.inline``): each saved through the
service the customer's edit form and the API call, ``customer_update`` (names, status,
account manager, team, language, birth date, custom fields), and the identity services
for the main phone and e-mail. The same field parsing as the edit form
(``CustomerEditForm``), so the same messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panorama.core.inline import Property

from .forms import CustomerEditForm
from .models import Customer, CustomFieldDefinition, Identity
from .services.contact import identity_main, identity_replace
from .services.customer import customer_update
from .templatetags.customers import language_name


def _form_field(name: str, definitions=()):
    return lambda user: CustomerEditForm(definitions=definitions).fields[name]


def _update(name: str):
    return lambda user, customer, value: customer_update(
        customer=customer, by=user, changes={name: value}
    )


def _person(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _field(name: str, label, display, initial=None) -> Property:
    return Property(
        name,
        label,
        field=_form_field(name),
        initial=initial or (lambda customer: getattr(customer, name)),
        display=display,
        save=_update(name),
        permission="customers.edit",
    )


def _identity(kind: str, label) -> Property:
    def value(customer: Customer) -> str:
        identity = identity_main(customer, kind)
        return identity.value if identity else ""

    return Property(
        kind,
        label,
        field=lambda user: forms.CharField(required=False, max_length=255),
        initial=value,
        display=value,
        save=lambda user, customer, text: identity_replace(
            customer=customer, kind=kind, value=text, by=user
        ),
        permission="customers.edit",
    )


def _custom(definition: CustomFieldDefinition) -> Property:
    key = definition.key

    def stored(customer: Customer) -> Any:
        return (customer.custom_fields or {}).get(key)

    def initial(customer: Customer) -> Any:
        value = stored(customer)
        return str(value).lower() if isinstance(value, bool) else value

    def display(customer: Customer) -> Any:
        value = stored(customer)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return value

    def save(user, customer: Customer, value: Any) -> Customer:
        if value in ("true", "false"):
            value = value == "true"
        changes = {"custom_fields": {key: None if value == "" else value}}
        return customer_update(customer=customer, by=user, changes=changes)

    return Property(
        f"cf_{key}",
        definition.label,
        field=_form_field(f"cf_{key}", [definition]),
        initial=initial,
        display=display,
        save=save,
        permission="customers.edit",
    )


def customer_properties(
    customer: Customer, definitions: list[CustomFieldDefinition]
) -> list[Property]:
    """The ficha's properties for this customer, in the order they are shown: the names
    its kind has, the contact points, who looks after it, then the custom fields."""
    if customer.kind == Customer.Kind.PERSON:
        names = [
            _field("first_name", gettext_lazy("First name"), lambda c: c.first_name),
            _field("last_name", gettext_lazy("Last name"), lambda c: c.last_name),
        ]
    else:
        names = [_field("legal_name", gettext_lazy("Legal name"), lambda c: c.legal_name)]
    return [
        *names,
        _field("status", gettext_lazy("Status"), lambda c: c.get_status_display()),
        _identity(Identity.Kind.EMAIL, gettext_lazy("E-mail")),
        _identity(Identity.Kind.PHONE, gettext_lazy("Phone")),
        _field(
            "owner",
            gettext_lazy("Account manager"),
            lambda c: _person(c.owner),
            initial=lambda c: c.owner_id,
        ),
        _field(
            "team",
            gettext_lazy("Team"),
            lambda c: c.team.name if c.team else "",
            lambda c: c.team_id,
        ),
        _field(
            "language",
            gettext_lazy("Language"),
            lambda c: language_name(c.language) if c.language else "",
        ),
        _field(
            "birth_date",
            gettext_lazy("Birth date"),
            lambda c: date_format(c.birth_date, "SHORT_DATE_FORMAT") if c.birth_date else "",
        ),
        *[_custom(d) for d in definitions],
    ]
