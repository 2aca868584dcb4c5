"""Operations and sales administration marts: orders and delivery, offers per
customer."""

from django.utils.translation import gettext_lazy as _

from .base import CURRENT, Dialect, Mart, among


def _operations(d: Dialect) -> str:
    return f"""
    SELECT {d.month("o.created_at")} AS month, o.status, c.owner_id, c.team_id,
           COUNT(*) AS orders, CAST(SUM(o.total) AS DECIMAL(18,2)) AS value,
           CAST(SUM(COALESCE(l.lines, 0)) AS BIGINT) AS lines,
           CAST(SUM(COALESCE(l.units, 0)) AS DECIMAL(18,3)) AS units,
           SUM(CASE WHEN o.delivered_at IS NOT NULL THEN 1 ELSE 0 END) AS delivered,
           SUM(CASE WHEN o.delivered_on_time THEN 1 ELSE 0 END) AS on_time,
           CAST(SUM(COALESCE(o.delivery_days, 0)) AS BIGINT) AS delivery_days
    FROM fact_order o JOIN {CURRENT} c ON c.customer_id = o.customer_id
    LEFT JOIN (SELECT order_id, COUNT(*) AS lines, SUM(quantity) AS units
               FROM fact_order_line GROUP BY order_id) l ON l.order_id = o.order_id
    GROUP BY 1, 2, 3, 4"""


def _offers(d: Dialect, keys: str = "") -> str:
    return f"""
    SELECT q.customer_id, c.owner_id, c.team_id, COUNT(*) AS quotes,
           CAST(SUM(CASE WHEN q.sent_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS sent,
           CAST(SUM(CASE WHEN q.status = 'accepted' THEN 1 ELSE 0 END) AS BIGINT) AS accepted,
           CAST(SUM(CASE WHEN q.status IN ('rejected', 'expired', 'declined') THEN 1 ELSE 0 END)
                AS BIGINT) AS lost,
           CAST(SUM(q.total) AS DECIMAL(18,2)) AS quoted,
           CAST(SUM(CASE WHEN q.status = 'accepted' THEN q.total ELSE 0 END)
                AS DECIMAL(18,2)) AS accepted_value,
           MAX(CAST(q.created_at AS DATE)) AS last_quote
    FROM fact_quote q JOIN {CURRENT} c ON c.customer_id = q.customer_id
    WHERE {among(keys, "q.customer_id")}
    GROUP BY 1, 2, 3"""


MARTS = (
    Mart(
        "mart_operations_orders",
        _("Operations"),
        _("Orders and delivery"),
        _(
            "Per month created and status: orders, value, lines and units, delivered, "
            "delivered on or before the promised date, and days from order to delivery "
            "(sum, divide by delivered). CRM sales orders only: the imported order "
            "history has no status or delivery."
        ),
        _operations,
    ),
    Mart(
        "mart_salesadmin_offers",
        _("Sales administration"),
        _("Offers per customer"),
        _(
            "Per customer: quotes made, sent, accepted and lost (rejected or expired), the "
            "amount quoted and accepted, and the date of the last quote."
        ),
        _offers,
        keyed=True,
        inputs=("dim_customer", "fact_quote"),
    ),
)
