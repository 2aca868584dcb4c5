"""Editing the ficha: one view serves every action (edit the customer, add an identity,
an address, a consent decision, a holding, an incident, join a group, remove a record).

Each action is a ``FichaAction``: the form that parses the input, the one service call
that validates and writes (with its field history and event), the section of the ficha
to return to and, for actions on one of the customer's records, how to find that record
*within this customer*. The customer is read through ``selectors.customer_get``, so the
user's scope applies before anything else. GET shows the form (a page of its own, which
works without JavaScript and at any width); POST writes and goes back to the ficha, or
shows the service's error on the field it names (422).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db.models import Model
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from panorama.core.exceptions import DomainError, NotFound

from .. import selectors
from ..forms import (
    AddressForm,
    BillingIncidentForm,
    ConfirmForm,
    ConsentForm,
    CustomerEditForm,
    GroupJoinForm,
    HoldingForm,
    IdentityForm,
    StyledForm,
)
from ..models import Address, Customer, Identity
from ..services import customer as customer_services
from ..services import relations


@dataclass(frozen=True)
class FichaAction:
    title: Promise
    done: Promise
    form: type[StyledForm]
    perform: Callable[..., Any]  # (customer=, user=, data=, target=) → whatever it wrote
    section: str
    target: Callable[[Customer, int], Model] | None = None
    initial: Callable[[Customer, Any], dict] | None = None
    form_kwargs: Callable[[Any, Customer], dict] = field(default=lambda user, customer: {})
    danger: bool = False
    describe: Callable[[Any], str] | None = None


def _own(model: type[Model]) -> Callable[[Customer, int], Model]:
    def find(customer: Customer, pk: int) -> Model:
        obj = model._default_manager.filter(customer=customer, pk=pk).first()
        if obj is None:
            raise Http404(_("This record does not belong to the customer."))
        return obj

    return find


def _customer_initial(customer: Customer, _target: Any) -> dict:
    initial = {
        name: getattr(customer, name)
        for name in (
            "kind",
            "status",
            "first_name",
            "last_name",
            "legal_name",
            "birth_date",
            "language",
            "notes",
        )
    }
    initial |= {"owner": customer.owner_id, "team": customer.team_id}
    for key, value in (customer.custom_fields or {}).items():
        initial[f"cf_{key}"] = str(value).lower() if isinstance(value, bool) else value
    return initial


def _customer_update(*, customer, user, data, target) -> Any:
    return customer_services.customer_update(customer=customer, by=user, changes=data)


def _group_join(*, customer, user, data, target) -> Any:
    group = data.get("group")
    if group is None:
        group = relations.group_create(
            name=data["new_group"], kind=data.get("new_group_kind") or "family", by=user
        )
    return relations.group_member_add(group=group, customer=customer, role=data["role"], by=user)


ACTIONS: dict[str, FichaAction] = {
    "edit": FichaAction(
        title=_("Edit the customer"),
        done=_("Changes saved."),
        form=CustomerEditForm,
        perform=_customer_update,
        section="ficha-name",
        initial=_customer_initial,
        form_kwargs=lambda user, customer: {"definitions": selectors.custom_field_definitions()},
    ),
    "identity-add": FichaAction(
        title=_("Add an identifier or contact point"),
        done=_("Identifier added."),
        form=IdentityForm,
        perform=lambda *, customer, user, data, target: customer_services.identity_add(
            customer=customer, item=customer_services.IdentityData(**data), by=user
        ),
        section="sec-identities",
    ),
    "identity-remove": FichaAction(
        title=_("Remove an identifier"),
        done=_("Identifier removed."),
        form=ConfirmForm,
        perform=lambda *, customer, user, data, target: customer_services.identity_remove(
            identity=target, by=user
        ),
        section="sec-identities",
        target=_own(Identity),
        danger=True,
        describe=lambda identity: f"{identity.get_kind_display()}: {identity.display_value}",
    ),
    "address-add": FichaAction(
        title=_("Add an address"),
        done=_("Address added."),
        form=AddressForm,
        perform=lambda *, customer, user, data, target: customer_services.address_add(
            customer=customer, item=customer_services.AddressData(**data), by=user
        ),
        section="sec-addresses",
    ),
    "address-edit": FichaAction(
        title=_("Edit an address"),
        done=_("Address saved."),
        form=AddressForm,
        perform=lambda *, customer, user, data, target: customer_services.address_update(
            address=target, item=customer_services.AddressData(**data), by=user
        ),
        section="sec-addresses",
        target=_own(Address),
        initial=lambda customer, address: {
            name: getattr(address, name) for name in AddressForm.base_fields
        },
    ),
    "address-remove": FichaAction(
        title=_("Remove an address"),
        done=_("Address removed."),
        form=ConfirmForm,
        perform=lambda *, customer, user, data, target: customer_services.address_remove(
            address=target, by=user
        ),
        section="sec-addresses",
        target=_own(Address),
        danger=True,
        describe=str,
    ),
    "consent": FichaAction(
        title=_("Record a consent decision"),
        done=_("Consent decision recorded."),
        form=ConsentForm,
        perform=lambda *, customer, user, data, target: relations.consent_record(
            customer=customer, by=user, **data
        ),
        section="sec-consents",
    ),
    "holding-add": FichaAction(
        title=_("Add a product or service held"),
        done=_("Product added."),
        form=HoldingForm,
        perform=lambda *, customer, user, data, target: relations.holding_add(
            customer=customer, by=user, **data
        ),
        section="sec-holdings",
    ),
    "incident-add": FichaAction(
        title=_("Record a billing incident"),
        done=_("Incident recorded."),
        form=BillingIncidentForm,
        perform=lambda *, customer, user, data, target: relations.billing_incident_add(
            customer=customer, by=user, **data
        ),
        section="sec-incidents",
    ),
    "group-join": FichaAction(
        title=_("Add to a group"),
        done=_("Added to the group."),
        form=GroupJoinForm,
        perform=_group_join,
        section="sec-groups",
        form_kwargs=lambda user, customer: {
            "groups": selectors.groups_visible_to(user).order_by("name")
        },
    ),
}


@require_http_methods(["GET", "POST"])
def ficha_action(request, customer_id: int, action: str, object_id: int | None = None):
    spec = ACTIONS.get(action)
    if spec is None or (spec.target is None) != (object_id is None):
        raise Http404(_("There is no such action."))
    try:
        customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    target = spec.target(customer, object_id) if spec.target and object_id else None
    kwargs = spec.form_kwargs(request.user, customer)
    if request.method == "POST":
        form = spec.form(request.POST, **kwargs)
        if form.is_valid():
            try:
                spec.perform(
                    customer=customer, user=request.user, data=form.values(), target=target
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, str(spec.done))
                url = reverse("customers:detail", args=[customer.pk])
                return redirect(f"{url}#{spec.section}")
        form.mark_errors()
    else:
        initial = spec.initial(customer, target) if spec.initial else None
        form = spec.form(initial=initial, **kwargs)
    context = {
        "customer": customer,
        "form": form,
        "spec": spec,
        "target_text": spec.describe(target) if spec.describe and target else "",
        "back": reverse("customers:detail", args=[customer.pk]) + f"#{spec.section}",
    }
    return render(request, "customers/edit.html", context, status=422 if form.errors else 200)


def action_url(customer_id: int, action: str, object_id: int | None = None) -> str:
    if object_id is None:
        return reverse("customers:action", args=[customer_id, action])
    return reverse("customers:record_action", args=[customer_id, action, object_id])
