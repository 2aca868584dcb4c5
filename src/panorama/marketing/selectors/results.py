"""A campaign's results: reach, engagement, conversions in both groups, revenue, ROI
and uplift with its confidence interval, in one aggregate query over the ledger."""

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from panorama.customers.models import Holding

from ..models import Campaign, Recipient


@dataclass(frozen=True)
class GroupResult:
    members: int
    converted: int

    @property
    def rate(self) -> float:
        return self.converted / self.members if self.members else 0.0


@dataclass(frozen=True)
class Results:
    targeted: int
    sent: int
    skipped: int
    failed: int
    pending: int
    delivered: int
    bounced: int
    soft_bounced: int
    opened: int
    clicked: int
    unsubscribed: int
    responded: int
    converted: int
    revenue: Decimal
    cost: Decimal
    roi: float | None
    target: GroupResult
    control: GroupResult
    uplift: float | None
    uplift_low: float | None
    uplift_high: float | None
    complained: int = 0
    exported: int = 0
    called: int = 0


def _won_opportunity() -> Any:
    """The ledger row's response opportunity, if sales won it."""
    from panorama.sales.models import Opportunity

    return Opportunity.objects.filter(pk=OuterRef("opportunity_id"), status=Opportunity.Status.WON)


def _offer_lines(campaign: Campaign) -> Any:
    """The order lines of the offered product (its SKU) in the customers' orders
    confirmed on or after the launch and not cancelled (``customer_id`` left open)."""
    from panorama.sales.models import Order, OrderLine

    return OrderLine.objects.filter(
        sku=campaign.offer_product_code,
        order__confirmed_at__gte=campaign.launched_at,
        order__status__in=[Order.Status.CONFIRMED, Order.Status.SHIPPED, Order.Status.DELIVERED],
    )


def _converted_q(campaign: Campaign) -> Q:
    """A ledger row converted: recorded by hand, or the customer took the offered product
    after the launch, as a holding or in an order (the same test for both groups, so the
    control group is fair)."""
    q: Q = Q(converted_at__isnull=False) | Q(Exists(_won_opportunity()))
    if campaign.offer_product_code and campaign.launched_at:
        q |= Q(
            Exists(
                Holding.objects.filter(
                    customer_id=OuterRef("customer_id"),
                    product_code=campaign.offer_product_code,
                    start_date__gte=timezone.localdate(campaign.launched_at),
                )
            )
        )
        q |= Q(Exists(_offer_lines(campaign).filter(order__customer_id=OuterRef("customer_id"))))
    return q


def _order_revenue(campaign: Campaign) -> Decimal:
    """What the target group paid for the offered product in orders after the launch (net,
    in the company currency at the rate of the confirmation day), for the rows whose
    conversion was not recorded by hand with its own revenue, leaving out an order made
    from the row's own response opportunity (its won amount already counts). One query."""
    if not (campaign.offer_product_code and campaign.launched_at):
        return Decimal(0)
    from panorama.catalog.selectors.money import convert

    rows = Recipient.objects.filter(
        campaign=campaign, group=Recipient.Group.TARGET, converted_at__isnull=True
    )
    lines = (
        _offer_lines(campaign)
        .filter(order__customer_id__in=rows.values("customer_id"))
        .exclude(
            order__quote__opportunity_id__in=rows.filter(opportunity_id__isnull=False).values(
                "opportunity_id"
            )
        )
        .values_list("net", "order__currency", "order__confirmed_at")
    )
    return sum(
        (convert(net, currency=currency, on=at.date()) for net, currency, at in lines),
        Decimal(0),
    )


Z_95 = 1.959964


def campaign_results(*, campaign: Campaign) -> Results:
    """Every figure of the report in one aggregate query over the ledger.

    Uplift = p_t − p_c, the conversion rate of the target group (everyone drawn into
    it, sent or not: intention to treat) minus the control group's. Its 95% confidence
    interval is the normal (Wald) interval of a difference of two proportions:
    (p_t − p_c) ± 1.96 · √(p_t(1−p_t)/n_t + p_c(1−p_c)/n_c). ROI = (revenue − cost) / cost.
    """
    converted = _converted_q(campaign)
    target, control = Q(group=Recipient.Group.TARGET), Q(group=Recipient.Group.CONTROL)
    # A won response opportunity brings its amount (company currency) as revenue, unless
    # the row's conversion was recorded by hand with its own revenue.
    won_amount = Subquery(_won_opportunity().values("amount_base")[:1])
    figures = (
        Recipient.objects.filter(campaign=campaign)
        .annotate(
            won_amount=Case(
                When(converted_at__isnull=True, then=won_amount), default=Value(Decimal(0))
            )
        )
        .aggregate(
            targeted=Count("pk", filter=target),
            held=Count("pk", filter=control),
            sent=Count(
                "pk",
                filter=Q(
                    status__in=[
                        Recipient.Status.SENT,
                        Recipient.Status.BOUNCED,
                        Recipient.Status.COMPLAINED,
                    ]
                ),
            ),
            complained=Count("pk", filter=Q(complained_at__isnull=False)),
            exported=Count("pk", filter=Q(status=Recipient.Status.EXPORTED)),
            called=Count("pk", filter=Q(calls__gt=0)),
            bounced=Count("pk", filter=Q(status=Recipient.Status.BOUNCED)),
            soft_bounced=Count("pk", filter=Q(soft_bounced_at__isnull=False)),
            skipped=Count("pk", filter=Q(status=Recipient.Status.SKIPPED)),
            failed=Count("pk", filter=Q(status=Recipient.Status.FAILED)),
            pending=Count("pk", filter=Q(status=Recipient.Status.PENDING)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
            unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
            responded=Count("pk", filter=Q(responded_at__isnull=False)),
            converted_t=Count("pk", filter=target & converted),
            converted_c=Count("pk", filter=control & converted),
            revenue=Sum("revenue", filter=target),
            won_revenue=Sum("won_amount", filter=target),
        )
    )
    revenue = (
        (figures["revenue"] or Decimal(0))
        + (figures["won_revenue"] or Decimal(0))
        + _order_revenue(campaign)
    )
    cost = campaign.cost or Decimal(0)
    roi = float((revenue - cost) / cost) if cost else None
    t = GroupResult(figures["targeted"], figures["converted_t"])
    c = GroupResult(figures["held"], figures["converted_c"])
    uplift = low = high = None
    if t.members and c.members:
        uplift = t.rate - c.rate
        margin = Z_95 * math.sqrt(
            t.rate * (1 - t.rate) / t.members + c.rate * (1 - c.rate) / c.members
        )
        low, high = uplift - margin, uplift + margin
    return Results(
        targeted=t.members,
        sent=figures["sent"],
        skipped=figures["skipped"],
        failed=figures["failed"],
        pending=figures["pending"],
        # Handed to the server and no hard bounce came back (a soft one may yet).
        delivered=figures["sent"] - figures["bounced"],
        bounced=figures["bounced"],
        soft_bounced=figures["soft_bounced"],
        opened=figures["opened"],
        clicked=figures["clicked"],
        unsubscribed=figures["unsubscribed"],
        responded=figures["responded"],
        converted=t.converted,
        revenue=revenue,
        cost=cost,
        roi=roi,
        target=t,
        control=c,
        uplift=uplift,
        complained=figures["complained"],
        exported=figures["exported"],
        called=figures["called"],
        uplift_low=low,
        uplift_high=high,
    )


# --- journeys and sign-up forms ------------------------------------------------------------
