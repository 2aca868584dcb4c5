"""Commercial direction marts: results, activity and pipeline."""

from django.utils.translation import gettext_lazy as _

from .base import CURRENT, SOLD, Dialect, M, Mart


def _results(d: Dialect) -> str:
    return f"""
    SELECT month, c.owner_id, c.team_id, SUM(orders) AS orders,
           CAST(SUM(revenue) AS DECIMAL(18,2)) AS revenue,
           COUNT(DISTINCT buyer) AS customers, SUM(won) AS won,
           CAST(SUM(won_amount) AS DECIMAL(18,2)) AS won_amount, SUM(lost) AS lost
    FROM (
        SELECT {d.month("created_at")} AS month, customer_id, 1 AS orders,
               {M.format("total")} AS revenue, customer_id AS buyer, 0 AS won,
               {M.format(0)} AS won_amount, 0 AS lost
        FROM fact_order WHERE {SOLD}
        UNION ALL
        SELECT {d.month("date_key")}, customer_id, 1, {M.format("amount")}, customer_id, 0,
               {M.format(0)}, 0
        FROM fact_purchase
        UNION ALL
        SELECT {d.month("closed_at")}, customer_id, 0, {M.format(0)}, NULL,
               CASE WHEN status = 'won' THEN 1 ELSE 0 END,
               {M.format("CASE WHEN status = 'won' THEN amount_base ELSE 0 END")},
               CASE WHEN status = 'lost' THEN 1 ELSE 0 END
        FROM fact_opportunity WHERE closed_at IS NOT NULL
    ) f JOIN {CURRENT} c ON c.customer_id = f.customer_id
    GROUP BY month, c.owner_id, c.team_id"""


def _activity(d: Dialect) -> str:
    return f"""
    SELECT {d.month("i.occurred_at")} AS month, c.owner_id, c.team_id, i.channel, i.direction,
           COUNT(*) AS interactions, COUNT(DISTINCT i.customer_id) AS customers,
           CAST(SUM(COALESCE(i.duration_seconds, 0)) AS BIGINT) AS seconds
    FROM fact_interaction i JOIN {CURRENT} c ON c.customer_id = i.customer_id
    GROUP BY 1, 2, 3, 4, 5"""


def _pipeline(d: Dialect) -> str:
    return f"""
    SELECT o.pipeline, o.stage_id, o.stage, o.stage_position, c.owner_id, c.team_id,
           COUNT(*) AS opportunities, CAST(SUM(o.amount_base) AS DECIMAL(18,2)) AS amount,
           CAST(SUM(o.weighted_base) AS DECIMAL(18,2)) AS weighted,
           SUM(CASE WHEN o.expected_close < current_date THEN 1 ELSE 0 END) AS overdue
    FROM fact_opportunity o JOIN {CURRENT} c ON c.customer_id = o.customer_id
    WHERE o.status = 'open'
    GROUP BY 1, 2, 3, 4, 5, 6"""


MARTS = (
    Mart(
        "mart_commercial_results",
        _("Commercial direction"),
        _("Results"),
        _(
            "Per month and account manager/team of the customer: orders placed (CRM sales "
            "orders not draft or cancelled, and purchases of the imported order history "
            "in the month of their date), their revenue, buying customers, opportunities "
            "won (with their amount in the company currency) and lost in the month they "
            "closed."
        ),
        _results,
    ),
    Mart(
        "mart_commercial_activity",
        _("Commercial direction"),
        _("Activity"),
        _(
            "Per month, owner/team, channel and direction: interactions recorded, distinct "
            "customers contacted and time spent (seconds)."
        ),
        _activity,
    ),
    Mart(
        "mart_commercial_pipeline",
        _("Commercial direction"),
        _("Pipeline"),
        _(
            "Open opportunities per pipeline stage and owner/team: how many, their amount "
            "and weighted amount (amount × stage probability) in the company currency, and "
            "how many are past their expected close date."
        ),
        _pipeline,
    ),
)
