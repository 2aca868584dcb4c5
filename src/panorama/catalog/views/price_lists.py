"""Price list pages: the list, one list with its prices, create, edit, set or remove a
price, archive or restore, and "try it" (``catalog.manage`` writes; the services check)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import can, ensure_can
from panorama.core.exceptions import DomainError
from panorama.core.lists import list_response

from ..forms import PriceListForm, PriceListItemForm, TryForm
from ..lists import PRICE_LISTS
from ..selectors import terms
from ..services import price_lists as services
from .terms import try_pricing


@require_GET
def price_list_list(request):
    return list_response(request, PRICE_LISTS, template="catalog/terms/price_list_list.html")


def _detail(request, price_list, item_form=None, status=200):
    item_form = item_form or PriceListItemForm()
    item_form.mark_errors()
    context = {
        "price_list": price_list,
        "items": list(price_list.items.all()),
        "item_form": item_form,
        "try_form": TryForm(),
        "try_url": "catalog:price_list_try",
        "record": price_list,
        "may_manage": can(request.user, "catalog.manage"),
    }
    return render(request, "catalog/terms/price_list_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
def price_list_detail(request, price_list_id: int):
    """The list and its prices; a POST sets one price (adds or replaces)."""
    price_list = terms.price_list_get(price_list_id=price_list_id)
    if request.method == "GET":
        return _detail(request, price_list)
    ensure_can(request.user, "catalog.manage")
    form = PriceListItemForm(request.POST)
    if form.is_valid():
        try:
            services.price_list_item_set(by=request.user, price_list=price_list, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Price saved."))
            return redirect("catalog:price_list_detail", price_list.pk)
    return _detail(request, price_list, form, status=422)


@require_POST
def price_list_item_remove(request, price_list_id: int, item_id: int):
    price_list = terms.price_list_get(price_list_id=price_list_id)
    item = terms.price_list_item_get(price_list=price_list, item_id=item_id)
    services.price_list_item_remove(by=request.user, item=item)
    messages.success(request, _("Price removed."))
    return redirect("catalog:price_list_detail", price_list.pk)


def _form_page(request, form, price_list=None):
    form.mark_errors()
    return render(
        request,
        "catalog/terms/form.html",
        {
            "form": form,
            "record": price_list,
            "list_url": "catalog:price_list_list",
            "list_label": _("Price lists"),
            "new_label": _("New price list"),
        },
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def price_list_create(request):
    ensure_can(request.user, "catalog.manage")
    form = PriceListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.price_list_create(by=request.user, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Price list saved."))
            return redirect("catalog:price_list_detail", created.pk)
    return _form_page(request, form)


@require_http_methods(["GET", "POST"])
def price_list_edit(request, price_list_id: int):
    price_list = terms.price_list_get(price_list_id=price_list_id)
    ensure_can(request.user, "catalog.manage")
    form = PriceListForm(
        request.POST or None, initial=PriceListForm.initial_of(price_list), editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.price_list_update(
                by=request.user, price_list=price_list, changes=form.values()
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Price list saved."))
            return redirect("catalog:price_list_detail", price_list.pk)
    return _form_page(request, form, price_list)


@require_POST
def price_list_archive(request, price_list_id: int):
    """Archive an active list, restore an archived one (never deleted: quotes name it)."""
    price_list = terms.price_list_get(price_list_id=price_list_id)
    services.price_list_update(
        by=request.user, price_list=price_list, changes={"active": not price_list.active}
    )
    if price_list.active:
        messages.success(request, _("Price list archived."))
    else:
        messages.success(request, _("Price list restored."))
    return redirect("catalog:price_list_detail", price_list.pk)


@require_GET
def price_list_try(request, price_list_id: int):
    price_list = terms.price_list_get(price_list_id=price_list_id)
    return try_pricing(
        request,
        price_list=price_list.code,
        currency=price_list.currency,
        channel=price_list.channel,
    )
