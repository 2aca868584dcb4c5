"""The custom fields' staff screen: list, add, edit (administrators,
``customers.configure_fields``; the services check it). What a field holds on each
customer is edited on the customer; here, what fields there are."""

from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import can, ensure_can
from panorama.core.exceptions import DomainError
from panorama.core.lists import Column, Filter, ListDefinition, ListState, Sort, attr, choice
from panorama.core.pagination import Keyset

from ..forms import CustomFieldForm
from ..models import CustomFieldDefinition
from ..selectors import custom_field_get, custom_fields_all
from ..services.custom_fields import (
    custom_field_create,
    custom_field_deactivate,
    custom_field_reactivate,
    custom_field_update,
)


def _yes(value: bool) -> Any:
    return format_html('<span class="pn-chip pn-chip-info">{}</span>', _("Yes")) if value else "—"


def _status(active: bool) -> Any:
    if active:
        return format_html('<span class="pn-chip pn-chip-success">{}</span>', _("Active"))
    return format_html('<span class="pn-chip">{}</span>', _("Inactive"))


class CustomFieldList(ListDefinition):
    name = "staff-custom-fields"
    label = gettext_lazy("Custom fields")
    url_name = "staff:custom_field_list"
    noun = ngettext_lazy("%(count)s custom field", "%(count)s custom fields", "n")
    search_label = gettext_lazy("Label or key")
    empty_title = gettext_lazy("No custom fields yet")
    empty_text = gettext_lazy(
        "Add the facts your business keeps on every customer that Panorama has no field for."
    )
    columns = [
        Column("label", gettext_lazy("Label"), value=attr("label"), link=True),
        Column("key", gettext_lazy("Key"), value=attr("key")),
        Column("type", gettext_lazy("Type"), value=choice("type")),
        Column("choices", gettext_lazy("Choices"), value=lambda d: ", ".join(d.choices) or "—"),
        Column("required", gettext_lazy("Required"), value=lambda d: _yes(d.required)),
        Column("searchable", gettext_lazy("Searchable"), value=lambda d: _yes(d.searchable)),
        Column("position", gettext_lazy("Position"), value=attr("position"), numeric=True),
        Column("status", gettext_lazy("Status"), value=lambda d: _status(d.active)),
    ]
    filters = [
        Filter("type", gettext_lazy("Type"), choices=CustomFieldDefinition.Type.choices),
        Filter(
            "status",
            gettext_lazy("Status"),
            choices=[("active", gettext_lazy("Active")), ("inactive", gettext_lazy("Inactive"))],
        ),
    ]
    sorts = [
        Sort(
            "position",
            gettext_lazy("Position"),
            Keyset("position", "key", types=(int, str)),
        )
    ]
    default_sort = "position"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = custom_fields_all(by=user)
        if state.search:
            qs = qs.filter(Q(label__icontains=state.search) | Q(key__istartswith=state.search))
        if state.filters.get("type"):
            qs = qs.filter(type=state.filters["type"])
        if state.filters.get("status") in ("active", "inactive"):
            qs = qs.filter(active=state.filters["status"] == "active")
        return qs

    def row_url(self, row: CustomFieldDefinition) -> str:
        return reverse("staff:custom_field_edit", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if can(user, "customers.configure_fields"):
            return reverse("staff:custom_field_new"), _("New custom field")
        return None


CUSTOM_FIELDS = CustomFieldList()


@require_GET
def custom_field_list(request):
    from panorama.accounts.views.staff import staff_list_page

    ensure_can(request.user, "customers.configure_fields")
    return staff_list_page(
        request,
        CUSTOM_FIELDS,
        current="fields",
        title=_("Custom fields"),
        subtitle=_("Shown on every customer's Details tab, in the API and in the import."),
        new=("staff:custom_field_new", _("New custom field")),
    )


def _page(request, form, definition=None):
    form.mark_errors()
    return render(
        request,
        "customers/custom_field_form.html",
        {"form": form, "definition": definition},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def custom_field_new(request):
    ensure_can(request.user, "customers.configure_fields")
    form = CustomFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            definition = custom_field_create(by=request.user, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request, _("Custom field %(label)s added.") % {"label": definition.label}
            )
            return redirect("staff:custom_field_list")
    return _page(request, form)


def _definition(request, field_id: int) -> CustomFieldDefinition:
    return custom_field_get(by=request.user, field_id=field_id)


@require_http_methods(["GET", "POST"])
def custom_field_edit(request, field_id: int):
    definition = _definition(request, field_id)
    form = CustomFieldForm(
        request.POST or None, editing=True, initial=CustomFieldForm.initial_of(definition)
    )
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.values().items() if k in form.changed_data}
        try:
            custom_field_update(by=request.user, definition=definition, changes=changes)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request, _("Custom field %(label)s saved.") % {"label": definition.label}
            )
            return redirect("staff:custom_field_list")
    return _page(request, form, definition)


@require_POST
def custom_field_active(request, field_id: int, active: bool):
    """Deactivate or reactivate a field (the edit page's button)."""
    definition = _definition(request, field_id)
    if active:
        custom_field_reactivate(by=request.user, definition=definition)
        done = _("Custom field %(label)s reactivated: customers' values show again.")
    else:
        custom_field_deactivate(by=request.user, definition=definition)
        done = _("Custom field %(label)s deactivated: customers' values are kept, hidden.")
    messages.success(request, done % {"label": definition.label})
    return redirect("staff:custom_field_edit", definition.pk)
