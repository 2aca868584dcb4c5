"""The ficha's properties edited in place (``customers.properties``, ``core.inline``):
one address per property; a save draws the ficha's head, its *More data* card and its
field history again, out of band, so the page says what changed without a reload."""

from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from panorama.accounts import permissions
from panorama.core.inline import Property, property_response, shown

from .. import selectors
from ..history import customer_field_history
from ..models import Customer, Identity
from ..properties import customer_properties


def _read(user, customer_id: int) -> Customer:
    """The customer in the user's scope, with what the properties and the head show."""
    customer = selectors.customer_get(user=user, customer_id=customer_id)
    return (
        Customer.objects.select_related("owner", "team")
        .prefetch_related("identities")
        .get(pk=customer.pk)
    )


def property_url(customer: Customer, key: str) -> str:
    return reverse("customers:property", args=[customer.pk, key])


def properties_shown(customer: Customer, user, definitions) -> list:
    """The ficha's properties as drawn for ``user`` (editable when he may)."""
    return [
        shown(prop, customer, user, property_url(customer, prop.key))
        for prop in customer_properties(customer, definitions)
    ]


def key_identities(identities: list[Identity]) -> list[Identity]:
    """The first national ID, phone and e-mail: what the header shows."""
    shown: dict[str, Identity] = {}
    for identity in identities:
        if identity.kind in (Identity.Kind.NATIONAL_ID, Identity.Kind.PHONE, Identity.Kind.EMAIL):
            shown.setdefault(identity.kind, identity)
    order = [Identity.Kind.NATIONAL_ID, Identity.Kind.PHONE, Identity.Kind.EMAIL]
    return [shown[kind] for kind in order if kind in shown]


def more_data(customer: Customer, every) -> list[dict]:
    """The Details tab's *More data* card: the customer's custom field values, labelled
    and in the definitions' order (``every``: all definitions, inactive ones too, whose
    values are kept but not shown)."""
    definitions = {d.key: d for d in every if d.active}
    inactive = {d.key for d in every if not d.active}
    return [
        {"label": definitions[key].label if key in definitions else key, "value": value}
        for key, value in sorted(
            ((k, v) for k, v in (customer.custom_fields or {}).items() if k not in inactive),
            key=lambda kv: (definitions[kv[0]].position if kv[0] in definitions else 10**6, kv[0]),
        )
    ]


def _refreshed(request, customer: Customer, every) -> str:
    """The ficha's head, its *More data* card and its field history, drawn again (out of
    band)."""
    context = {
        "customer": customer,
        "custom_fields": more_data(customer, every),
        "oob": True,
        "can_edit": permissions.can(request.user, "customers.edit"),
        "key_identities": key_identities(list(customer.identities.all())),
        "open_incidents": customer.billing_incidents.filter(status="open").count(),
        "history": customer_field_history(customer_id=customer.pk),
    }
    return "".join(
        render_to_string(template, context, request)
        for template in (
            "customers/_ficha_header.html",
            "customers/_more_data.html",
            "customers/_field_history.html",
        )
    )


@require_http_methods(["GET", "POST"])
def customer_property(request, customer_id: int, key: str):
    customer = _read(request.user, customer_id)
    every = selectors.custom_field_definitions(inactive=True)
    props = customer_properties(customer, [d for d in every if d.active])
    prop: Property | None = next((p for p in props if p.key == key), None)
    if prop is None:
        raise Http404
    return property_response(
        request,
        prop=prop,
        record=customer,
        url=property_url(customer, key),
        reread=lambda: _read(request.user, customer_id),
        saved_extra=lambda record: _refreshed(request, record, every),
    )
