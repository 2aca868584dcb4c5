"""The demo's quotes and orders for the showcase customer, through the services: a draft
with a coupon and a financing plan, one waiting for a manager's approval of its
discount, one accepted by the customer through its link (which placed an order), and an
order placed directly, already shipped. Once: nothing happens if the customer has quotes.
"""

from django.db import transaction
from django.utils import timezone

from panorama.catalog.models import FinancingPlan, Product
from panorama.customers.models import Customer
from panorama.sales.models import Quote


@transaction.atomic
def showcase_quotes(customer_id: int) -> int:
    """Quotes and orders of the showcase customer; how many quotes were made."""
    from panorama.sales.services.order import order_create, order_transition
    from panorama.sales.services.quote import (
        LineData,
        acceptance_token,
        quote_accept,
        quote_create,
        quote_request_approval,
    )

    if Quote.objects.filter(customer_id=customer_id).exists():
        return 0
    customer = Customer.objects.select_related("owner").get(pk=customer_id)
    products = {p.sku: p.pk for p in Product.objects.filter(sku__in=["RT-WIFI6", "PACK-FIBRA"])}
    if len(products) < 2:
        return 0  # no demo catalogue
    owner = customer.owner
    pack = LineData(products["PACK-FIBRA"], 1, ["fibra1g", "movil_basico", "tv"])
    plan = FinancingPlan.objects.filter(code="12m-5").first()
    quote_create(
        by=None,
        customer_id=customer_id,
        owner=owner,
        coupon="BLACKFRIDAY",
        financing_plan_id=plan.pk if plan else None,
        lines=[LineData(products["RT-WIFI6"], 3), pack],
    )
    pending = quote_create(
        by=None,
        customer_id=customer_id,
        owner=owner,
        lines=[LineData(products["PACK-FIBRA"], 2, pack.options, manual_discount_percent=20)],
    )
    quote_request_approval(
        by=owner, quote_id=pending.pk, comment="Cliente con 12 líneas: pide un 20 %."
    )
    accepted = quote_create(
        by=None, customer_id=customer_id, owner=owner, lines=[LineData(products["RT-WIFI6"], 2)]
    )
    # Sent by hand in the demo (no e-mail leaves it), then accepted through its link.
    Quote.objects.filter(pk=accepted.pk).update(status=Quote.Status.SENT, sent_at=timezone.now())
    accepted.refresh_from_db()
    quote_accept(token=acceptance_token(accepted))
    order = order_create(
        by=owner, customer_id=customer_id, lines=[LineData(products["RT-WIFI6"], 1)]
    )
    order_transition(by=owner, order_id=order.pk, to="confirmed")
    order_transition(by=owner, order_id=order.pk, to="shipped")
    return 3
