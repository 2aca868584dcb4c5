"""The customer list, declared once for the shared list component (core/lists/): the
worked example of how an app declares a list."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.accounts import permissions
from panorama.accounts.models import Team
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.core.lists import (
    BulkAction,
    Column,
    Edit,
    Filter,
    ListDefinition,
    ListState,
    Sort,
    attr,
    chip,
    choice,
)
from panorama.core.pagination import Keyset, Page
from panorama.core.templatetags.formatting import phone

from . import selectors
from .forms import CustomerEditForm
from .models import Address, Customer, Identity
from .services.customer import customer_update

# One query for the phone and e-mail columns together, one for the city: only when shown.
KEY_IDENTITIES = Prefetch(
    "identities",
    queryset=Identity.objects.filter(kind__in=[Identity.Kind.PHONE, Identity.Kind.EMAIL]).order_by(
        "-is_primary", "id"
    ),
    to_attr="list_identities",
)
ADDRESSES = Prefetch(
    "addresses", queryset=Address.objects.order_by("-is_primary", "id"), to_attr="list_addresses"
)


def _identity(kind: str, shown=str):
    def cell(customer: Customer) -> Any:
        for identity in customer.list_identities:  # type: ignore[attr-defined]
            if identity.kind == kind:
                return shown(identity.value)
        return "—"

    return cell


def _city(customer: Customer) -> Any:
    for address in customer.list_addresses:  # type: ignore[attr-defined]
        if address.city:
            return address.city
    return "—"


def _owner(customer: Customer) -> Any:
    owner = customer.owner
    return (owner.get_full_name() or owner.username) if owner else "—"


def _form_field(name: str):
    """The field of the customer's edit form: the same choices and parsing in the list."""
    return lambda user: CustomerEditForm().fields[name]


def _change(name: str):
    """Save one field through the same service as the customer's edit form."""
    return lambda user, customer, value: customer_update(
        customer=customer, by=user, changes={name: value}
    )


def _edit(name: str, initial) -> Edit:
    return Edit(
        field=_form_field(name), initial=initial, save=_change(name), permission="customers.edit"
    )


def _put_back(name: str):
    """Undo a bulk change of ``name`` (``owner_id``, ``team_id``, ``status``): the value the
    customer had, through the same service, its checks and validation (a rep cannot put a
    customer back under a team he no longer works in)."""
    return lambda user, customer, before: customer_update(
        customer=customer, by=user, changes={name: before}
    )


def _deactivate(user, customer: Customer, value: Any) -> None:
    if customer.status == Customer.Status.INACTIVE:
        raise ValidationFailed(_("Already inactive."), field="status")
    customer_update(customer=customer, by=user, changes={"status": Customer.Status.INACTIVE})


def _reactivate(user, customer: Customer, before: Any) -> None:
    """Undo a deactivation: the status it had, unless someone changed it since."""
    if customer.status != Customer.Status.INACTIVE:
        raise Conflict(_("Its status was changed since: left as it is."))
    customer_update(customer=customer, by=user, changes={"status": before})


def _teams(user) -> list[tuple[str, str]]:
    teams = selectors.teams_in_scope(user)
    qs = Team.objects.all() if teams is None else teams
    return [(str(pk), name) for pk, name in qs.order_by("name").values_list("pk", "name")]


class CustomerList(ListDefinition):
    name = "customers"
    label = _("Customers")
    url_name = "customers:list"
    export_url_name = "customers:export"
    noun = ngettext_lazy("%(count)s customer", "%(count)s customers", "n")
    search_label = _("Name or identifier")
    search_placeholder = _("e.g. García, 600 11 22 33, 12345678Z")
    empty_title = _("No customers yet")
    empty_text = _("Create the first one or import a file.")
    columns = [
        Column("name", _("Name"), value=attr("display_name"), link=True, sort="name"),
        Column("kind", _("Kind"), value=choice("kind")),
        Column(
            "status",
            _("Status"),
            value=chip("status", {"active": "success", "prospect": "info"}),
            sort="status",
            edit=_edit("status", lambda c: c.status),
        ),
        Column(
            "owner", _("Account manager"), value=_owner, edit=_edit("owner", lambda c: c.owner_id)
        ),
        Column("team", _("Team"), value=attr("team.name"), edit=_edit("team", lambda c: c.team_id)),
        Column(
            "phone",
            _("Phone"),
            value=_identity(Identity.Kind.PHONE, phone),
            default=False,
            prefetch=(KEY_IDENTITIES,),
        ),
        Column(
            "email",
            _("E-mail"),
            value=_identity(Identity.Kind.EMAIL),
            default=False,
            prefetch=(KEY_IDENTITIES,),
        ),
        Column("city", _("City"), value=_city, default=False, prefetch=(ADDRESSES,)),
    ]
    filters = [
        Filter("kind", _("Kind"), choices=Customer.Kind.choices),
        Filter("status", _("Status"), choices=Customer.Status.choices),
        Filter("mine", _("Account manager"), choices=[("on", _("Only my customers"))]),
        Filter("team", _("Team"), choices=_teams),
    ]
    sorts = [
        Sort("name", _("Name, A to Z"), selectors.BY_NAME),
        Sort("-name", _("Name, Z to A"), Keyset("-search_name", "-id", types=(str, int))),
        Sort("status", _("Status"), Keyset("status", "search_name", "id", types=(str, str, int))),
        Sort("newest", _("Newest first"), Keyset("-id", types=(int,))),
    ]
    default_sort = "name"
    bulk_actions = [
        BulkAction(
            "owner",
            _("Assign account manager"),
            field=_form_field("owner"),
            run=_change("owner"),
            before=lambda customer: customer.owner_id,
            undo=_put_back("owner_id"),
            changed_since=_("Its account manager was changed since: left as it is."),
            permission="customers.edit",
        ),
        BulkAction(
            "team",
            _("Assign team"),
            field=_form_field("team"),
            run=_change("team"),
            before=lambda customer: customer.team_id,
            undo=_put_back("team_id"),
            changed_since=_("Its team was changed since: left as it is."),
            permission="customers.edit",
        ),
        BulkAction(
            "status",
            _("Change status"),
            field=_form_field("status"),
            run=_change("status"),
            before=lambda customer: customer.status,
            undo=_put_back("status"),
            changed_since=_("Its status was changed since: left as it is."),
            permission="customers.edit",
        ),
        # Customers are never deleted from a list: their consents, history and every
        # app's records point at them (see the import's undo). Deactivating keeps all
        # that, and can be undone.
        BulkAction(
            "deactivate",
            _("Deactivate (can be undone)"),
            run=_deactivate,
            before=lambda customer: customer.status,
            undo=_reactivate,
            changed_since=_("Its status was changed since: left as it is."),
            permission="customers.edit",
        ),
    ]
    bulk_export = "customers.export"
    row_related = ("owner", "team")

    def selector_filters(self, user, state: ListState) -> dict[str, Any]:
        team = state.filters.get("team", "")
        return {
            "search": state.search,
            "kind": state.filters.get("kind", ""),
            "status": state.filters.get("status", ""),
            "owner_id": user.pk if state.filters.get("mine") else None,
            "team_id": int(team) if team.isdigit() else None,
        }

    def filtered(self, user, state: ListState) -> QuerySet:
        return selectors.customers_matching(user=user, **self.selector_filters(user, state))

    def page(self, user, state: ListState, *, cursor: str, limit: int) -> Page:
        # The selector answers a search one index at a time (see customer_list).
        return selectors.customer_list(
            user=user,
            cursor=cursor,
            limit=limit,
            max_limit=self.max_rows,
            order=self.sort_for(state).keyset,
            annotate=self.annotations(state),
            **self.selector_filters(user, state),
        )

    def row_url(self, row: Customer) -> str:
        return reverse("customers:detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if permissions.can(user, "customers.edit"):
            return reverse("customers:create"), _("New customer")
        return None


CUSTOMERS = CustomerList()


class ComponentsDemoList(CustomerList):
    """The customer list, five rows a page, drawn and driven on the /ui/components/ page."""

    name = "demo"
    url_name = "core:components"
    export_url_name = ""
    page_size = 5


COMPONENTS_DEMO = ComponentsDemoList()
