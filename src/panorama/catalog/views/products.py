"""Product pages: the list, the detail (with availability, the stock movements and, for
catalogue managers, the stock receipt and the count adjustment), create and edit."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import DomainError
from panorama.core.lists import list_response

from .. import selectors
from ..forms import ProductForm, StockAdjustmentForm, StockReceiptForm
from ..lists import PRODUCTS
from ..selectors.options import option_model
from ..services import products as product_services
from ..services.product_delete import product_delete as product_delete_service
from ..services.stock import stock_adjust, stock_receive


@require_GET
def product_list(request):
    """The catalogue as the shared list: search, filters as chips, saved views, bulk
    activate/deactivate for catalogue managers."""
    return list_response(request, PRODUCTS, template="catalog/product_list.html")


@require_GET
def product_detail(request, product_id: int):
    product = selectors.product_get(product_id=product_id)
    cursor = request.GET.get("movements", "")
    if cursor and request.htmx and not request.htmx.history_restore_request:
        # "Load more" of the movements: the next rows and the next button.
        context = {"product": product, **_movements(product, cursor)}
        return render(request, "catalog/_stock_movement_rows.html", context)
    return render(request, "catalog/product_detail.html", _detail(product, cursor=cursor))


def _movements(product, cursor: str) -> dict:
    page = selectors.stock_movements(product_id=product.pk, cursor=cursor)
    more = "?" + urlencode({"movements": page.next_cursor}) if page.next_cursor else ""
    return {"movements": page.items, "movements_more": more, "movements_paged": bool(cursor)}


def _detail(
    product,
    receipt_form: StockReceiptForm | None = None,
    adjust_form: StockAdjustmentForm | None = None,
    *,
    cursor: str = "",
) -> dict:
    options = option_model(product.pk)
    by_id = options.by_id()
    rules = [
        _("%(option)s %(rule)s %(other)s")
        % {
            "option": by_id[r.option_id].name,
            "rule": r.get_kind_display(),
            "other": by_id[r.target_id].name,
        }
        for r in options.rules
    ]
    return {
        "product": product,
        "availability": selectors.availability(product, 1),
        "stock_kept_here": selectors.stock_kept_here(),
        "options": options,
        "rules": rules,
        "receipt_form": receipt_form or StockReceiptForm(),
        "adjust_form": adjust_form or StockAdjustmentForm(),
        **_movements(product, cursor),
    }


@require_POST
def product_stock_receive(request, product_id: int):
    """Receive stock from the product page: back to it with the new figures, or the
    page again with the refusal beside the field (422)."""
    product = selectors.product_get(product_id=product_id)
    ensure_can(request.user, "catalog.manage", product)
    form = StockReceiptForm(request.POST)
    if form.is_valid():
        quantity = form.cleaned_data["quantity"]
        try:
            received = stock_receive(
                by=request.user,
                product_id=product.pk,
                quantity=0 if quantity is None else quantity,
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("%(quantity)s units received: %(on_hand)s on hand.")
                % {"quantity": quantity, "on_hand": received.stock_on_hand},
            )
            return redirect("catalog:product_detail", product.pk)
    form.mark_errors()
    product = selectors.product_get(product_id=product_id)
    return render(request, "catalog/product_detail.html", _detail(product, form), status=422)


@require_POST
def product_stock_adjust(request, product_id: int):
    """Correct the stock on hand to a count from the product page: back to it with the
    new figures, or the page again with the refusal beside the field (422)."""
    product = selectors.product_get(product_id=product_id)
    ensure_can(request.user, "catalog.manage", product)
    form = StockAdjustmentForm(request.POST)
    if form.is_valid():
        counted = form.cleaned_data["counted"]
        try:
            movement = stock_adjust(
                by=request.user,
                product_id=product.pk,
                counted=-1 if counted is None else counted,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("Stock on hand corrected to %(on_hand)s (%(change)+d).")
                % {"on_hand": movement.on_hand_after, "change": movement.on_hand_change},
            )
            return redirect("catalog:product_detail", product.pk)
    form.mark_errors()
    product = selectors.product_get(product_id=product_id)
    context = _detail(product, adjust_form=form)
    return render(request, "catalog/product_detail.html", context, status=422)


@require_http_methods(["GET", "POST"])
def product_create(request):
    ensure_can(request.user, "catalog.manage")
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["currency"] = data["currency"] or selectors.company_currency()
        try:
            product = product_services.product_create(by=request.user, **data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return redirect("catalog:product_detail", product.pk)
    status = 422 if form.errors else 200
    return render(request, "catalog/product_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def product_edit(request, product_id: int):
    product = selectors.product_get(product_id=product_id)
    ensure_can(request.user, "catalog.manage", product)
    form = ProductForm(request.POST or None, initial=ProductForm.initial_of(product), editing=True)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        changes["currency"] = changes["currency"] or product.currency
        try:
            product_services.product_update(product=product, by=request.user, changes=changes)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return redirect("catalog:product_detail", product.pk)
    status = 422 if form.errors else 200
    context = {"form": form, "product": product}
    return render(request, "catalog/product_form.html", context, status=status)


@require_POST
def product_delete(request, product_id: int):
    """Delete the product (the page's button, after its confirmation): back to the
    catalogue; a product in use stays, its page saying what uses it."""
    product = selectors.product_get(product_id=product_id)
    ensure_can(request.user, "catalog.manage", product)
    try:
        product_delete_service(by=request.user, product=product)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("catalog:product_detail", product.pk)
    messages.success(request, _("“%(name)s” deleted.") % {"name": product.name})
    return redirect("catalog:product_list")
