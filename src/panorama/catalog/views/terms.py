"""The "try it" of a price list or a promotion: price one product for one customer on
one day with the pricing service, and show its explanation step by step."""

from django.shortcuts import render
from django.utils import timezone

from panorama.core.exceptions import DomainError
from panorama.customers.selectors import customer_get

from ..forms import TryForm
from ..models import Channel
from ..services.pricing import LineIn, price_lines


def try_pricing(
    request, *, price_list: str = "", coupon: str = "", currency: str = "", channel: str = ""
):
    """The partial with the priced line (or the refusal), for ``price_list`` or
    ``coupon``; an automatic promotion applies by itself when it is eligible."""
    form = TryForm(request.GET or None)
    pricing, error = None, None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            customer = None
            if data["customer"] is not None:
                customer = customer_get(user=request.user, customer_id=data["customer"])
            pricing = price_lines(
                lines=[LineIn(product_id=data["product"].pk, quantity=data["quantity"])],
                customer=customer,
                on=data["on"] or timezone.localdate(),
                currency=currency or None,
                channel=channel or Channel.DIRECT,
                coupon=coupon,
                price_list=price_list,
            )
        except DomainError as exc:
            error = exc.message
    return render(
        request, "catalog/_try.html", {"try_form": form, "pricing": pricing, "error": error}
    )
