"""The catalogue settings page: categories, units, taxes and exchange rates, read by
everyone signed in (the catalogue is company-wide) and changed with ``catalog.manage``
through the same services as the API (a refusal comes back on its field, 422, and
nothing is saved)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import can, ensure_can
from panorama.core.exceptions import DomainError

from .. import selectors
from ..services import products as services
from ..settings_forms import CategoryForm, ExchangeRateForm, TaxForm, UnitForm

FORMS = {
    "categories": CategoryForm,
    "units": UnitForm,
    "taxes": TaxForm,
    "rates": ExchangeRateForm,
}


def _page(request, section: str = "", bound=None):
    forms = {key: form_class() for key, form_class in FORMS.items()}
    if bound is not None:
        bound.mark_errors()
        forms[section] = bound
    context = {
        "tree": selectors.category_tree(),
        "units": selectors.units(),
        "taxes": selectors.taxes(),
        "rates": selectors.rates_by_currency(),
        "company_currency": selectors.company_currency(),
        "may_manage": can(request.user, "catalog.manage"),
        "forms": forms,
        "section": section,
    }
    return render(
        request, "catalog/settings.html", context, status=422 if bound is not None else 200
    )


@require_GET
def catalog_settings(request):
    return _page(request)


def _add(request, section: str, create, saved: str):
    ensure_can(request.user, "catalog.manage")
    form = FORMS[section](request.POST)
    if form.is_valid():
        try:
            create(by=request.user, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, saved)
            return redirect(reverse("catalog:settings") + f"#{section}")
    return _page(request, section, form)


@require_POST
def category_add(request):
    return _add(request, "categories", services.category_create, _("Category saved."))


@require_POST
def unit_add(request):
    return _add(request, "units", services.unit_create, _("Unit saved."))


@require_POST
def tax_add(request):
    return _add(request, "taxes", services.tax_create, _("Tax saved."))


@require_POST
def rate_set(request):
    return _add(request, "rates", services.exchange_rate_set, _("Exchange rate saved."))


def _edit(request, section: str, record, save, saved: str, title: str):
    """The edit page of one category, unit or tax; ``save(changes)`` calls its service."""
    ensure_can(request.user, "catalog.manage")
    form_class = FORMS[section]
    form = form_class(request.POST or None, initial=form_class.initial_of(record), editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, saved)
            return redirect(reverse("catalog:settings") + f"#{section}")
    form.mark_errors()
    context = {"form": form, "record": record, "title": title, "section": section}
    return render(
        request, "catalog/settings_form.html", context, status=422 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def category_edit(request, category_id: int):
    category = selectors.category_get(category_id=category_id)

    def save(changes):
        services.category_update(by=request.user, category=category, changes=changes)

    return _edit(request, "categories", category, save, _("Category saved."), _("Edit category"))


@require_http_methods(["GET", "POST"])
def unit_edit(request, unit_id: int):
    unit = selectors.unit_get(unit_id=unit_id)

    def save(changes):
        services.unit_update(by=request.user, unit=unit, changes=changes)

    return _edit(request, "units", unit, save, _("Unit saved."), _("Edit unit"))


@require_http_methods(["GET", "POST"])
def tax_edit(request, tax_id: int):
    tax = selectors.tax_get(tax_id=tax_id)

    def save(changes):
        services.tax_update(by=request.user, tax=tax, changes=changes)

    return _edit(request, "taxes", tax, save, _("Tax saved."), _("Edit tax"))
