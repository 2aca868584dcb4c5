"""Order pages: the list (the shared list component) and the page of one with the
buttons of the transitions it allows."""

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import ensure_can
from panorama.catalog.models import Product
from panorama.channels.models import Interaction
from panorama.core.exceptions import DomainError, NotFound, PermissionDenied
from panorama.core.lists import (
    Column,
    Filter,
    ListDefinition,
    ListState,
    Sort,
    attr,
    chip,
    list_response,
)
from panorama.core.pagination import Keyset
from panorama.core.templatetags.formatting import money
from panorama.customers.selectors import customer_get

from ..forms.quotes import OrderNewForm
from ..models import Order, OrderLine
from ..selectors.quotes import order_get, orders_visible_to, with_option_names
from ..services.order import order_create, order_missing, order_stock_receive, order_transition
from ..services.quote import LineData

TONES = {
    "draft": "secondary",
    "confirmed": "info",
    "shipped": "warning",
    "delivered": "success",
    "cancelled": "danger",
}


def _total(row: Order) -> Any:
    return money(row.total, row.currency)


def _quote(row: Order) -> Any:
    return row.quote.reference if row.quote else "—"


class OrderList(ListDefinition):
    name = "orders"
    label = gettext_lazy("Orders")
    url_name = "sales:order_list"
    noun = ngettext_lazy("%(count)s order", "%(count)s orders", "n")
    search_label = gettext_lazy("Reference")
    search_placeholder = gettext_lazy("e.g. O-000123")
    empty_title = gettext_lazy("No orders yet")
    empty_text = gettext_lazy("An accepted quote places one.")
    columns = [
        Column("reference", gettext_lazy("Reference"), value=attr("reference"), link=True),
        Column("customer", gettext_lazy("Customer"), value=attr("customer.display_name")),
        Column("status", gettext_lazy("Status"), value=chip("status", TONES)),
        Column("total", gettext_lazy("Total"), value=_total, numeric=True),
        Column("expected_delivery", gettext_lazy("Delivery"), value=attr("expected_delivery")),
        Column("quote", gettext_lazy("Quote"), value=_quote),
    ]
    filters = [Filter("status", gettext_lazy("Status"), choices=Order.Status.choices)]
    sorts = [Sort("newest", gettext_lazy("Newest first"), Keyset("-id", types=(int,)))]
    default_sort = "newest"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = orders_visible_to(user).select_related("customer", "quote")
        if state.search:
            qs = qs.filter(reference__icontains=state.search.strip())
        status = state.filters.get("status", "")
        if status in Order.Status.values:
            qs = qs.filter(status=status)
        return qs

    def row_url(self, row: Order) -> str:
        return reverse("sales:order_detail", args=[row.pk])


ORDERS = OrderList()


@require_GET
def order_list(request):
    return list_response(request, ORDERS, template="sales/orders/list.html")


def _with_component_names(lines: list[OrderLine]) -> list[OrderLine]:
    """Name each line's components for the page (one query, none without bundles)."""
    ids = {part["product_id"] for line in lines for part in line.components or ()}
    names = dict(Product.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    for line in lines:
        line.components = [
            {**part, "name": names.get(part["product_id"], "")} for part in line.components or ()
        ]
    return lines


@require_GET
def order_detail(request, order_id: int):
    return _detail(request, order_id)


def _detail(
    request,
    order_id: int,
    *,
    refused: str = "",
    status: int = 200,
    receipt: dict | None = None,
) -> HttpResponse:
    order = order_get(user=request.user, order_id=order_id)
    timeline = (
        Interaction.objects.filter(
            related_type=ContentType.objects.get_for_model(Order), related_id=order.pk
        )
        .select_related("agent")
        .order_by("-occurred_at", "-id")[:50]
    )
    nexts = [(status, Order.Status(status).label) for status in order.next_statuses()]
    return render(
        request,
        "sales/orders/detail.html",
        {
            "order": order,
            "lines": _with_component_names(with_option_names(list(order.lines.all()))),
            "nexts": nexts,
            "timeline": timeline,
            "refused": refused,
            "missing": order_missing(order),
            "receipt": receipt or {},
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def order_new(request, customer_id: int):
    """An order placed directly for a customer (no quote): lines priced by the catalogue
    (price list, promotions, coupon) through ``order_create``, as the API does."""
    customer = customer_get(user=request.user, customer_id=customer_id)
    ensure_can(request.user, "sales.edit")
    form = OrderNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = order_create(
                by=request.user,
                customer_id=customer.pk,
                lines=[LineData(**line) for line in form.lines()],
                currency=data["currency"].strip().upper(),
                coupon=data["coupon"].strip(),
                price_list=data["price_list"],
            )
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Order %(ref)s placed.") % {"ref": order.reference})
            return redirect("sales:order_detail", order.pk)
    form.mark_errors()
    return render(
        request,
        "sales/orders/new.html",
        {"form": form, "customer": customer},
        status=422 if form.errors else 200,
    )


@require_POST
def order_move(request, order_id: int):
    """Move the order; a refusal (a move the lifecycle forbids, a shipment short of a
    product's stock) draws the order's page again with the message (422)."""
    try:
        order = order_transition(by=request.user, order_id=order_id, to=request.POST.get("to", ""))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        return _detail(request, order_id, refused=str(exc.message), status=422)
    else:
        messages.success(
            request,
            _("Order %(ref)s is now %(status)s.")
            % {"ref": order.reference, "status": order.get_status_display().lower()},
        )
    return redirect("sales:order_detail", order_id)


@require_POST
def order_receive(request, order_id: int):
    """Receive, from the order's page, stock of a product it is missing (catalogue
    managers): back to the page, the units reserved for the order; a refusal draws the
    page again with the message beside that product's form (422)."""
    product_id = request.POST.get("product_id", "")
    quantity = request.POST.get("quantity", "").strip()
    try:
        order = order_stock_receive(
            by=request.user,
            order_id=order_id,
            product_id=int(product_id) if product_id.isdigit() else 0,
            quantity=int(quantity) if quantity.lstrip("-").isdigit() else 0,
            note=request.POST.get("note", ""),
        )
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        receipt = {
            "product_id": int(product_id) if product_id.isdigit() else None,
            "quantity": quantity,
            "note": request.POST.get("note", ""),
            "error": str(exc.message),
            "field": exc.field,
        }
        # A refusal of the quantity or note goes beside the product's form; any other
        # (the order no longer waits for it) above the page.
        beside = exc.field in ("quantity", "note")
        refused = "" if beside else str(exc.message)
        if not beside:
            receipt["product_id"] = None
        return _detail(request, order_id, status=422, receipt=receipt, refused=refused)
    messages.success(
        request,
        _("%(quantity)s units received for order %(ref)s.")
        % {"quantity": quantity, "ref": order.reference},
    )
    return redirect("sales:order_detail", order_id)
