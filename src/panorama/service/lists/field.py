"""The field-service lists, declared once for the shared list component (core/lists/):
work orders (as each user may see them: his own, his teams', all for a dispatcher by
permission or an administrator), the installed base (assets of the customers he sees)
and the service contracts (of the customers he sees, renewed in bulk through
``contract_renew``; name, owner, SLA policy and entitlements edited in place through
``contract_update``, the end moved later through ``contract_extend``), with their
filters in the URL."""

import copy
import datetime
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.accounts import permissions
from panorama.accounts.models import User
from panorama.core.lists import (
    NEWEST,
    OLDEST,
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
    named_choices,
    person,
)
from panorama.core.pagination import TimeKeyset

from ..forms import ContractExtendForm, ContractForm
from ..models import Asset, ServiceContract, TechnicianProfile, WorkOrder
from ..selectors import field as selectors
from ..services.contract import contract_extend, contract_renew
from ..services.contract_edit import contract_update

WORK_ORDER_TONES = {
    "new": "info",
    "scheduled": "warning",
    "in_progress": "warning",
    "done": "success",
    "cancelled": "secondary",
}
WORK_ORDER_STATUS_CHOICES = [("open", _("Open (any)")), *WorkOrder.Status.choices]


def _technicians(user) -> list[tuple[str, Any]]:
    """Mine, nobody's, then each active technician by name (one query)."""
    people = [
        (str(p.user_id), p.user.get_full_name() or p.user.username)
        for p in TechnicianProfile.objects.filter(active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    ]
    return [("me", _("Mine")), ("none", _("Unassigned")), *people]


class WorkOrderList(ListDefinition):
    name = "work_orders"
    label = _("Work orders")
    url_name = "service:work_order_list"
    noun = ngettext_lazy("%(count)s work order", "%(count)s work orders", "n")
    search_label = _("Reference or subject")
    search_placeholder = _("e.g. WO-000042, boiler")
    empty_title = _("No work orders")
    empty_text = _("Create one from a case, or let a maintenance plan create them.")
    columns = [
        Column("reference", _("Reference"), value=attr("reference"), link=True),
        Column("subject", _("Subject"), value=attr("subject")),
        Column("customer", _("Customer"), value=attr("customer.display_name")),
        Column("status", _("Status"), value=chip("status", WORK_ORDER_TONES)),
        Column("technician", _("Technician"), value=person("technician", _("Unassigned"))),
        Column("scheduled", _("Scheduled for"), value=attr("scheduled_start")),
        Column("asset", _("Asset"), value=attr("asset")),
        Column("area", _("Area"), value=attr("area"), default=False),
        Column("source", _("Source"), value=lambda o: o.get_source_display(), default=False),
    ]
    filters = [
        Filter("status", _("Status"), choices=WORK_ORDER_STATUS_CHOICES),
        Filter("technician", _("Technician"), choices=_technicians),
        Filter("source", _("Source"), choices=WorkOrder.Source.choices),
    ]
    sorts = [
        NEWEST,
        OLDEST,
    ]
    default_sort = "newest"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.work_orders_visible_to(user).select_related(
            "customer", "technician", "asset__product"
        )
        f = state.filters
        if f.get("status") == "open":
            qs = qs.filter(status__in=WorkOrder.OPEN_STATUSES)
        elif f.get("status") in WorkOrder.Status.values:
            qs = qs.filter(status=f["status"])
        technician = f.get("technician") or ""
        if technician == "me":
            qs = qs.filter(technician_id=user.pk)
        elif technician == "none":
            qs = qs.filter(technician__isnull=True)
        elif technician.isdigit():
            qs = qs.filter(technician_id=int(technician))
        if f.get("source") in WorkOrder.Source.values:
            qs = qs.filter(source=f["source"])
        if state.search:
            text = state.search.strip()
            if text.upper().startswith("WO-"):
                qs = qs.filter(reference__iexact=text)
            else:
                qs = qs.filter(subject__icontains=text)
        return qs

    def row_url(self, row: WorkOrder) -> str:
        return reverse("service:work_order_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if permissions.can(user, "service.dispatch"):
            return reverse("service:work_order_create"), _("New work order")
        return None


WORK_ORDERS = WorkOrderList()


# --- the installed base ------------------------------------------------------------------

LEVEL_CHOICES = [("top", _("Installed units")), ("component", _("Components"))]


def _products(user) -> list[tuple[str, str]]:
    """The products installed somewhere, by name (one query)."""
    from panorama.catalog.models import Product

    installed = Asset.objects.order_by().values("product_id")
    return named_choices(Product.objects.filter(pk__in=installed))


class AssetList(ListDefinition):
    name = "assets"
    label = _("Installed base")
    url_name = "service:asset_list"
    noun = ngettext_lazy("%(count)s asset", "%(count)s assets", "n")
    search_label = _("Serial number or product")
    search_placeholder = _("e.g. 4451-X, boiler")
    empty_title = _("No assets installed")
    empty_text = _("Register a customer's equipment from his page (Installed base).")
    columns = [
        Column("asset", _("Asset"), value=attr("product.name"), link=True),
        Column("serial", _("Serial number"), value=attr("serial_number")),
        Column("customer", _("Customer"), value=attr("customer.display_name")),
        Column("site", _("Location"), value=attr("site")),
        Column("installed", _("Install date"), value=attr("install_date")),
        Column("parent", _("Part of"), value=attr("parent")),
        Column("serviced", _("Last serviced on"), value=attr("last_serviced_on"), default=False),
    ]
    filters = [
        Filter("product", _("Product"), choices=_products),
        Filter("level", _("Level"), choices=LEVEL_CHOICES),
    ]
    sorts = [
        NEWEST,
        OLDEST,
    ]
    default_sort = "newest"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.assets_visible_to(user).select_related(
            "customer", "product", "parent__product"
        )
        f = state.filters
        if (f.get("product") or "").isdigit():
            qs = qs.filter(product_id=int(f["product"]))
        if f.get("level") == "top":
            qs = qs.filter(parent__isnull=True)
        elif f.get("level") == "component":
            qs = qs.filter(parent__isnull=False)
        if state.search:
            text = state.search.strip()
            qs = qs.filter(Q(serial_number__istartswith=text) | Q(product__name__icontains=text))
        return qs

    def row_url(self, row: Asset) -> str:
        return reverse("service:asset_detail", args=[row.pk])


ASSETS = AssetList()


# --- service contracts -------------------------------------------------------------------

CONTRACT_STATES = [
    ("in_force", _("In force")),
    ("ended", _("Ended")),
    ("cancelled", _("Cancelled")),
]
# ``?ending=30`` and ``?ending=90``: the renewals to offer (the page's old links).
CONTRACT_ENDING = [("30", _("Ending within 30 days")), ("90", _("Within 90 days"))]


def _ends(row: ServiceContract) -> Any:
    day = date_format(row.ends_on, "SHORT_DATE_FORMAT")
    if row.renewal_alerted_at and row.status == ServiceContract.Status.ACTIVE:
        return format_html(
            '{} <span class="pn-chip pn-chip-warning">{}</span>', day, _("Renewal due")
        )
    return day


def _contract_status(row: ServiceContract) -> Any:
    if row.status == ServiceContract.Status.CANCELLED:
        return format_html('<span class="pn-chip">{}</span>', _("Cancelled"))
    if row.ends_on < timezone.localdate():
        return format_html('<span class="pn-chip pn-chip-neutral">{}</span>', _("Ended"))
    return format_html('<span class="pn-chip pn-chip-success">{}</span>', _("In force"))


def _contract_field(name: str, form: type[forms.Form] = ContractForm, required: bool = False):
    """The contract form's own field (a copy: the same parsing, in the user's language),
    optional unless ``required``: an empty value reaches the service, which says what it
    needs (a name) or takes it as none (no policy, unlimited visits)."""

    def field(user: Any) -> forms.Field:
        form_field = copy.deepcopy(form.base_fields[name])
        form_field.required = required
        return form_field

    return field


def _contract_edit(name: str, change: str, field: Any = None) -> Edit:
    """A contract's term edited in place through ``contract_update`` (``change``: its
    name there; a chosen record saved by its id)."""

    def save(user: Any, row: ServiceContract, value: Any) -> ServiceContract:
        value = getattr(value, "pk", value)
        return contract_update(by=user, contract_id=row.pk, changes={change: value})

    return Edit(
        field=field or _contract_field(name),
        initial=lambda row: getattr(row, change),
        save=save,
        permission="service.edit",
    )


def _owner_field(user: Any) -> forms.Field:
    return forms.ModelChoiceField(
        User.objects.filter(is_active=True).order_by("first_name", "last_name", "username"),
        label=_("Owner"),
        required=False,
        empty_label=_("Nobody"),
    )


# The end moved later, as the contract's *Extend* does (its rules and messages); an
# end before its term is a cancellation (the contract's page, with its reason).
def _visits(row: ServiceContract) -> Any:
    return _("Unlimited") if row.visits_included is None else row.visits_included


ENDS_ON_EDIT = Edit(
    field=_contract_field("ends_on", ContractExtendForm, required=True),
    initial=lambda row: row.ends_on,
    save=lambda user, row, ends_on: contract_extend(by=user, contract_id=row.pk, ends_on=ends_on),
    permission="service.edit",
)


class ContractList(ListDefinition):
    name = "service_contracts"
    label = _("Service contracts")
    url_name = "service:contract_list"
    noun = ngettext_lazy("%(count)s contract", "%(count)s contracts", "n")
    search_label = _("Reference or name")
    search_placeholder = _("e.g. SC-000012, maintenance")
    empty_title = _("No service contracts")
    empty_text = _("Add a contract or a warranty from a customer's installed base.")
    columns = [
        Column("reference", _("Reference"), value=attr("reference"), link=True),
        Column("name", _("Name"), value=attr("name"), edit=_contract_edit("name", "name")),
        Column("customer", _("Customer"), value=attr("customer.display_name")),
        Column("kind", _("Kind"), value=choice("kind")),
        Column("starts_on", _("Starts on"), value=attr("starts_on"), default=False),
        Column("ends_on", _("Ends on"), value=_ends, sort="ending", edit=ENDS_ON_EDIT),
        Column("status", _("Status"), value=_contract_status),
        Column(
            "owner",
            _("Owner"),
            value=person("owner"),
            edit=_contract_edit("owner", "owner_id", _owner_field),
        ),
        Column(
            "sla_policy",
            _("SLA policy"),
            value=lambda row: row.sla_policy.name if row.sla_policy else "—",
            default=False,
            edit=_contract_edit("sla_policy", "sla_policy_id"),
        ),
        Column(
            "visits_included",
            _("Visits included"),
            value=_visits,
            numeric=True,
            default=False,
            edit=_contract_edit("visits_included", "visits_included"),
        ),
    ]
    filters = [
        Filter("state", _("Status"), choices=CONTRACT_STATES),
        Filter("ending", _("Ends"), choices=CONTRACT_ENDING),
        Filter("kind", _("Kind"), choices=ServiceContract.Kind.choices),
    ]
    sorts = [
        Sort("ending", _("Ending first"), TimeKeyset("ends_on", "id", types=(str, int))),
        Sort("-ending", _("Ending last"), TimeKeyset("-ends_on", "-id", types=(str, int))),
        NEWEST,
    ]
    default_sort = "ending"
    bulk_actions = [
        BulkAction(
            "renew",
            _("Renew for the next period"),
            run=lambda user, row, _value: contract_renew(by=user, contract_id=row.pk),
            permission="service.edit",
        )
    ]
    bulk_export = "customers.export"  # customers' names: the switch for personal data

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.contracts_visible_to(user).select_related("customer", "owner", "sla_policy")
        f = state.filters
        today = timezone.localdate()
        active = ServiceContract.Status.ACTIVE
        if f.get("state") == "in_force":
            qs = qs.filter(status=active, ends_on__gte=today)
        elif f.get("state") == "ended":
            qs = qs.filter(status=active, ends_on__lt=today)
        elif f.get("state") == "cancelled":
            qs = qs.filter(status=ServiceContract.Status.CANCELLED)
        if f.get("ending") in dict(CONTRACT_ENDING):
            until = today + datetime.timedelta(days=int(f["ending"]))
            qs = qs.filter(status=active, ends_on__gte=today, ends_on__lte=until)
        if f.get("kind") in ServiceContract.Kind.values:
            qs = qs.filter(kind=f["kind"])
        if state.search:
            text = state.search.strip()
            qs = qs.filter(Q(reference__iexact=text) | Q(name__icontains=text))
        return qs

    def row_url(self, row: ServiceContract) -> str:
        return reverse("service:contract_detail", args=[row.pk])


CONTRACTS = ContractList()
