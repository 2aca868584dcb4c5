"""What the report builder may query: per warehouse mart, the columns a user may group
by (dimensions) and add up (measures). Every identifier of a report's SQL comes from
here; the user's values only ever travel as parameters. Each mart belongs to the
department whose dashboards show it: a user builds on the marts of his dashboards."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..warehouse.marts import MARTS

AGGREGATES = {"sum": _("Sum"), "count": _("Count"), "avg": _("Average")}
MONTH = "month"


@dataclass(frozen=True)
class Source:
    mart: str
    department: str  # a dashboards department key
    dimensions: dict[str, Promise]
    measures: dict[str, Promise]

    @property
    def title(self) -> str:
        mart = next(m for m in MARTS if m.name == self.mart)
        return f"{mart.department} · {mart.title}"

    @property
    def meaning(self) -> Promise:
        return next(m for m in MARTS if m.name == self.mart).meaning


M = _("Month")
SOURCES = {
    s.mart: s
    for s in (
        Source(
            "mart_commercial_results",
            "commercial",
            {MONTH: M},
            {
                "orders": _("Orders"),
                "revenue": _("Revenue"),
                "customers": _("Buying customers"),
                "won": _("Opportunities won"),
                "won_amount": _("Amount won"),
                "lost": _("Opportunities lost"),
            },
        ),
        Source(
            "mart_commercial_activity",
            "commercial",
            {MONTH: M, "channel": _("Channel"), "direction": _("Direction")},
            {
                "interactions": _("Interactions"),
                "customers": _("Customers contacted"),
                "seconds": _("Seconds spent"),
            },
        ),
        Source(
            "mart_commercial_pipeline",
            "commercial",
            {"pipeline": _("Pipeline"), "stage": _("Stage")},
            {
                "opportunities": _("Opportunities"),
                "amount": _("Amount"),
                "weighted": _("Weighted amount"),
                "overdue": _("Overdue"),
            },
        ),
        Source(
            "mart_finance_profitability",
            "finance",
            {},
            {
                "orders": _("Orders"),
                "revenue": _("Revenue"),
                "holdings": _("Holdings"),
                "recurring": _("Recurring"),
                "open_incidents": _("Open incidents"),
                "unpaid": _("Unpaid"),
                "net_value": _("Net value"),
            },
        ),
        Source(
            "mart_finance_incidents",
            "finance",
            {MONTH: M, "kind": _("Kind"), "status": _("Status")},
            {
                "incidents": _("Incidents"),
                "amount": _("Amount"),
                "customers": _("Customers"),
            },
        ),
        Source(
            "mart_marketing_priority",
            "marketing",
            {"rfm_segment": _("RFM segment")},
            {
                "customer_id": _("Customers"),
                "frequency": _("Orders"),
                "monetary": _("Revenue"),
                "recency_days": _("Days since last order"),
                "interactions_90d": _("Interactions (90 days)"),
                "open_cases": _("Open cases"),
                "churn_probability": _("Churn probability"),
                "clv": _("Lifetime value"),
                "value_at_risk": _("Value at risk"),
            },
        ),
        Source(
            "mart_marketing_campaigns",
            "marketing",
            {MONTH: M, "campaign": _("Campaign"), "channel": _("Channel")},
            {
                "targeted": _("Target group"),
                "control": _("Control group"),
                "sent": _("Sent"),
                "delivered": _("Delivered"),
                "bounced": _("Bounced"),
                "opened": _("Opened"),
                "clicked": _("Clicked"),
                "unsubscribed": _("Unsubscribed"),
                "converted": _("Converted"),
                "revenue": _("Revenue"),
            },
        ),
        Source(
            "mart_marketing_web",
            "marketing",
            {MONTH: M, "page": _("Page"), "name": _("Event")},
            {
                "events": _("Events"),
                "identified": _("Of identified customers"),
                "visitors": _("Visitors in the month"),
                "customers": _("Customers in the month"),
            },
        ),
        Source(
            "mart_marketing_journeys",
            "marketing",
            {MONTH: M, "journey": _("Journey"), "status": _("Status")},
            {"enrolments": _("Enrolments"), "customers": _("Customers")},
        ),
        Source(
            "mart_marketing_loyalty",
            "marketing",
            {MONTH: M, "programme": _("Programme"), "kind": _("Kind")},
            {
                "movements": _("Movements"),
                "points_in": _("Points credited"),
                "points_out": _("Points debited"),
                "members": _("Members"),
            },
        ),
        Source(
            "mart_marketing_segments",
            "marketing",
            {"segment": _("Segment"), "kind": _("Kind")},
            {
                "customers": _("Members"),
                "buyers": _("Buying customers"),
                "orders": _("Orders"),
                "revenue": _("Revenue"),
                "open_cases": _("Open cases"),
                "clv": _("Lifetime value"),
            },
        ),
        Source(
            "mart_service_sla",
            "service",
            {MONTH: M, "priority": _("Priority")},
            {
                "opened": _("Cases opened"),
                "resolved": _("Cases resolved"),
                "response_breached": _("First responses late"),
                "resolution_breached": _("Resolutions late"),
                "csat_answers": _("Satisfaction answers"),
                "csat_points": _("Satisfaction points"),
            },
        ),
        Source(
            "mart_service_backlog",
            "service",
            {"status": _("Status"), "priority": _("Priority"), "age": _("Age (days)")},
            {"cases": _("Cases"), "breached": _("Past due")},
        ),
        Source(
            "mart_operations_orders",
            "operations",
            {MONTH: M, "status": _("Status")},
            {
                "orders": _("Orders"),
                "value": _("Value"),
                "lines": _("Lines"),
                "units": _("Units"),
                "delivered": _("Delivered"),
                "on_time": _("Delivered on time"),
                "delivery_days": _("Days to deliver"),
            },
        ),
        Source(
            "mart_salesadmin_offers",
            "salesadmin",
            {},
            {
                "quotes": _("Quotes"),
                "sent": _("Sent"),
                "accepted": _("Accepted"),
                "lost": _("Lost"),
                "quoted": _("Amount quoted"),
                "accepted_value": _("Amount accepted"),
            },
        ),
    )
}
