"""Finance marts: profitability per customer and payment incidents."""

from django.utils.translation import gettext_lazy as _

from .base import CURRENT, Dialect, M, Mart, among, orders_per_customer


def _profitability(d: Dialect, keys: str = "") -> str:
    return f"""
    SELECT c.customer_id, c.owner_id, c.team_id,
           COALESCE(o.orders, 0) AS orders, COALESCE(o.revenue, {M.format(0)}) AS revenue,
           COALESCE(h.holdings, 0) AS holdings,
           COALESCE(h.recurring, {M.format(0)}) AS recurring,
           COALESCE(b.open_incidents, 0) AS open_incidents,
           COALESCE(b.unpaid, {M.format(0)}) AS unpaid,
           CAST(COALESCE(o.revenue, 0) + COALESCE(h.recurring, 0) - COALESCE(b.unpaid, 0)
                AS DECIMAL(18,2)) AS net_value
    FROM {CURRENT} c
    LEFT JOIN {orders_per_customer(keys)} o
           ON o.customer_id = c.customer_id
    LEFT JOIN (SELECT customer_id, COUNT(*) AS holdings,
                      CAST(SUM(COALESCE(price, 0)) AS DECIMAL(18,2)) AS recurring
               FROM fact_holding WHERE status = 'active' AND {among(keys)}
               GROUP BY customer_id) h
           ON h.customer_id = c.customer_id
    LEFT JOIN (SELECT customer_id, COUNT(*) AS open_incidents,
                      CAST(SUM(amount) AS DECIMAL(18,2)) AS unpaid
               FROM fact_billing_incident WHERE status = 'open' AND {among(keys)}
               GROUP BY customer_id) b
           ON b.customer_id = c.customer_id
    WHERE (o.orders IS NOT NULL OR h.holdings IS NOT NULL OR b.open_incidents IS NOT NULL)
          AND {among(keys, "c.customer_id")}"""


def _incidents(d: Dialect) -> str:
    return f"""
    SELECT {d.month("b.due_date")} AS month, b.kind, b.status, c.owner_id, c.team_id,
           COUNT(*) AS incidents, CAST(SUM(b.amount) AS DECIMAL(18,2)) AS amount,
           COUNT(DISTINCT b.customer_id) AS customers
    FROM fact_billing_incident b JOIN {CURRENT} c ON c.customer_id = b.customer_id
    GROUP BY 1, 2, 3, 4, 5"""


MARTS = (
    Mart(
        "mart_finance_profitability",
        _("Finance"),
        _("Profitability per customer"),
        _(
            "Per customer: orders and revenue (CRM sales orders not draft or cancelled, "
            "and imported purchases), active holdings and their recurring price, "
            "open payment incidents and the amount unpaid; net value = revenue + recurring "
            "− unpaid (no cost data is recorded yet, so this is value, not margin)."
        ),
        _profitability,
        keyed=True,
        inputs=(
            "dim_customer",
            "fact_order",
            "fact_purchase",
            "fact_holding",
            "fact_billing_incident",
        ),
    ),
    Mart(
        "mart_finance_incidents",
        _("Finance"),
        _("Payment incidents"),
        _(
            "Per month of the due date, kind (unpaid invoice, returned payment, dispute) "
            "and status: incidents, amount and customers affected."
        ),
        _incidents,
    ),
)
