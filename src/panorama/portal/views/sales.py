"""The portal's sales pages: his quotes (read, PDF, accept or decline), his orders and
the catalogue priced for him. Each page is ``@portal_required`` (the portal's own
session, never ``request.user``) and reads through ``portal.selectors.sales``, which keeps
him to his own records. Accepting and declining go through the very services of the
signed acceptance link (``sales.services.quote.quote_accept`` / ``quote_decline``,
with a link signed for his quote), so the order, the promotions redeemed, the timeline
and the refusals are the link's."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from panorama.core.exceptions import DomainError, NotFound
from panorama.sales.pdf import quote_pdf
from panorama.sales.services.quote import acceptance_token, quote_accept, quote_decline

from ..access import portal_required
from ..selectors import sales as selectors
from . import _render

QUOTE_STATES = {
    "open": (gettext_lazy("Waiting for your answer"), "info"),
    "accepted": (gettext_lazy("Accepted"), "success"),
    "declined": (gettext_lazy("Declined"), "secondary"),
    "expired": (gettext_lazy("Expired"), "secondary"),
    "replaced": (gettext_lazy("Replaced by a newer version"), "secondary"),
}
ORDER_TONES = {
    "confirmed": "info",
    "shipped": "warning",
    "delivered": "success",
    "cancelled": "secondary",
}


def _toned(order):
    order.tone = ORDER_TONES.get(order.status, "info")
    return order


def _labelled(quote):
    quote.state_label, quote.state_tone = QUOTE_STATES.get(quote.state, (quote.state, "info"))
    return quote


def _before(request) -> int | None:
    """The ``before`` of an older page (an id); anything else is the newest page."""
    raw = request.GET.get("before", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


@require_GET
@portal_required
def quote_list(request):
    page = selectors.customer_quotes(customer=request.portal_customer, before=_before(request))
    quotes = [_labelled(q) for q in page.rows]
    return _render(request, "portal/sales/quotes.html", {"quotes": quotes, "page": page})


def _quote_page(request, quote_id: int, *, refused: str = "", status: int = 200):
    quote = _labelled(
        selectors.customer_quote_get(customer=request.portal_customer, quote_id=quote_id)
    )
    return _render(
        request,
        "portal/sales/quote.html",
        {"quote": quote, "lines": quote.shown_lines, "refused": refused},
        status=status,
    )


@require_GET
@portal_required
def quote_detail(request, quote_id: int):
    return _quote_page(request, quote_id)


@require_GET
@portal_required
def quote_pdf_download(request, quote_id: int):
    """The PDF the staff side renders and the e-mail carried (``sales.pdf``)."""
    quote = selectors.customer_quote_get(customer=request.portal_customer, quote_id=quote_id)
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.reference}.pdf"'
    return response


@require_POST
@portal_required
def quote_accept_view(request, quote_id: int):
    """Accept through the link's service: the order is placed (his order's page next);
    a refusal (expired, already accepted, replaced...) is the page with its message."""
    quote = selectors.customer_quote_get(customer=request.portal_customer, quote_id=quote_id)
    try:
        accepted = quote_accept(token=acceptance_token(quote))
    except NotFound:
        raise
    except DomainError as error:
        return _quote_page(request, quote_id, refused=str(error.message), status=error.status_code)
    order = accepted.order  # his quote's order: his
    messages.success(
        request,
        _("Thank you! You accepted quote %(quote)s: your order is %(order)s.")
        % {"quote": quote.reference, "order": order.reference},
    )
    return redirect("portal:order", order_id=order.pk)


@require_POST
@portal_required
def quote_decline_view(request, quote_id: int):
    """Decline through the link's service, with his reason if he gives one."""
    quote = selectors.customer_quote_get(customer=request.portal_customer, quote_id=quote_id)
    try:
        quote_decline(token=acceptance_token(quote), reason=request.POST.get("reason", ""))
    except NotFound:
        raise
    except DomainError as error:
        return _quote_page(request, quote_id, refused=str(error.message), status=error.status_code)
    messages.success(
        request,
        _("You declined quote %(quote)s. Thank you for telling us.") % {"quote": quote.reference},
    )
    return redirect("portal:quote", quote_id=quote_id)


@require_GET
@portal_required
def order_list(request):
    page = selectors.customer_orders(customer=request.portal_customer, before=_before(request))
    orders = [_toned(o) for o in page.rows]
    return _render(request, "portal/sales/orders.html", {"orders": orders, "page": page})


@require_GET
@portal_required
def order_detail(request, order_id: int):
    order = _toned(
        selectors.customer_order_get(customer=request.portal_customer, order_id=order_id)
    )
    return _render(request, "portal/sales/order.html", {"order": order})


@require_GET
@portal_required
def prices(request):
    """The catalogue priced for him today by the one pricing service, each price with
    its explanation; a coupon goes through the pricing's own checks."""
    coupon = request.GET.get("coupon", "")
    search = request.GET.get("q", "")
    priced = selectors.customer_prices(
        customer=request.portal_customer, coupon=coupon, search=search
    )
    return _render(
        request,
        "portal/sales/prices.html",
        {"priced": priced, "coupon": coupon.strip(), "search": search.strip()},
        status=422 if priced.coupon_error else 200,
    )
