"""Department data marts, built from the star schema after every load.

Each mart is one SQL statement written in the subset DuckDB and Spark SQL share; the
few functions that differ come from a ``Dialect``. So the Spark jobs (``spark.py``)
run the very same statements over the Parquet export, and a test checks the two
engines agree. Every mart row carries the customer's current ``owner_id`` and
``team_id``: the record-level rule of the customers app filters on them.

No mart holds personal data (names are joined from ``dim_customer`` when a user with
access looks at a customer's row).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Dialect:
    name: str

    def days(self, start: str, end: str) -> str:
        """Whole days from ``start`` to ``end`` (dates)."""
        if self.name == "spark":
            return f"datediff(CAST({end} AS DATE), CAST({start} AS DATE))"
        return f"date_diff('day', CAST({start} AS DATE), CAST({end} AS DATE))"

    def month(self, expr: str) -> str:
        return f"CAST(date_trunc('month', {expr}) AS DATE)"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")


@dataclass(frozen=True)
class Mart:
    name: str
    department: Promise
    title: Promise
    meaning: Promise
    sql: Callable[[Dialect], str]


# The customer's current owner and team, joined into every mart for record-level access.
CURRENT = "(SELECT customer_id, owner_id, team_id FROM dim_customer WHERE is_current)"
SOLD = "status NOT IN ('draft', 'cancelled')"
M = "CAST({} AS DECIMAL(18,2))"


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


def _profitability(d: Dialect) -> str:
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
    LEFT JOIN (SELECT customer_id, COUNT(*) AS orders,
                      CAST(SUM(total) AS DECIMAL(18,2)) AS revenue
               FROM fact_order WHERE {SOLD} GROUP BY customer_id) o
           ON o.customer_id = c.customer_id
    LEFT JOIN (SELECT customer_id, COUNT(*) AS holdings,
                      CAST(SUM(COALESCE(price, 0)) AS DECIMAL(18,2)) AS recurring
               FROM fact_holding WHERE status = 'active' GROUP BY customer_id) h
           ON h.customer_id = c.customer_id
    LEFT JOIN (SELECT customer_id, COUNT(*) AS open_incidents,
                      CAST(SUM(amount) AS DECIMAL(18,2)) AS unpaid
               FROM fact_billing_incident WHERE status = 'open' GROUP BY customer_id) b
           ON b.customer_id = c.customer_id
    WHERE o.orders IS NOT NULL OR h.holdings IS NOT NULL OR b.open_incidents IS NOT NULL"""


def _incidents(d: Dialect) -> str:
    return f"""
    SELECT {d.month("b.due_date")} AS month, b.kind, b.status, c.owner_id, c.team_id,
           COUNT(*) AS incidents, CAST(SUM(b.amount) AS DECIMAL(18,2)) AS amount,
           COUNT(DISTINCT b.customer_id) AS customers
    FROM fact_billing_incident b JOIN {CURRENT} c ON c.customer_id = b.customer_id
    GROUP BY 1, 2, 3, 4, 5"""


def _priority(d: Dialect) -> str:
    return f"""
    SELECT c.customer_id, c.owner_id, c.team_id,
           {d.days("o.last_order", "current_date")} AS recency_days,
           COALESCE(o.orders, 0) AS frequency, COALESCE(o.revenue, {M.format(0)}) AS monetary,
           COALESCE(i.recent, 0) AS interactions_90d, COALESCE(k.open_cases, 0) AS open_cases,
           s.churn_probability, s.clv, s.rfm_segment,
           CAST(COALESCE(s.churn_probability, 0) * COALESCE(s.clv, o.revenue, 0)
                AS DECIMAL(18,2)) AS value_at_risk
    FROM {CURRENT} c
    LEFT JOIN (SELECT customer_id, COUNT(*) AS orders, MAX(date_key) AS last_order,
                      CAST(SUM(total) AS DECIMAL(18,2)) AS revenue
               FROM fact_order WHERE {SOLD} GROUP BY customer_id) o
           ON o.customer_id = c.customer_id
    LEFT JOIN (SELECT customer_id, COUNT(*) AS recent FROM fact_interaction
               WHERE {d.days("occurred_at", "current_date")} <= 90
               GROUP BY customer_id) i ON i.customer_id = c.customer_id
    LEFT JOIN (SELECT customer_id, COUNT(*) AS open_cases FROM fact_case WHERE is_open
               GROUP BY customer_id) k ON k.customer_id = c.customer_id
    LEFT JOIN fact_score s ON s.customer_id = c.customer_id
    WHERE o.orders IS NOT NULL OR i.recent IS NOT NULL OR k.open_cases IS NOT NULL
          OR s.customer_id IS NOT NULL"""


def _sla(d: Dialect) -> str:
    return f"""
    SELECT {d.month("k.created_at")} AS month, k.queue_id, k.priority, c.owner_id, c.team_id,
           COUNT(*) AS opened,
           SUM(CASE WHEN k.resolved_at IS NOT NULL THEN 1 ELSE 0 END) AS resolved,
           SUM(CASE WHEN k.response_breached THEN 1 ELSE 0 END) AS response_breached,
           SUM(CASE WHEN k.resolution_breached THEN 1 ELSE 0 END) AS resolution_breached,
           CAST(SUM(COALESCE(k.resolution_hours, 0)) AS DOUBLE) AS resolution_hours,
           SUM(CASE WHEN k.csat_score IS NOT NULL THEN 1 ELSE 0 END) AS csat_answers,
           CAST(SUM(COALESCE(k.csat_score, 0)) AS BIGINT) AS csat_points
    FROM fact_case k JOIN {CURRENT} c ON c.customer_id = k.customer_id
    GROUP BY 1, 2, 3, 4, 5"""


def _backlog(d: Dialect) -> str:
    age = d.days("k.created_at", "current_date")
    return f"""
    SELECT k.status, k.priority, k.queue_id, c.owner_id, c.team_id,
           CASE WHEN {age} < 1 THEN '0-1' WHEN {age} < 7 THEN '1-7'
                WHEN {age} < 30 THEN '7-30' ELSE '30+' END AS age,
           COUNT(*) AS cases,
           SUM(CASE WHEN k.resolution_breached THEN 1 ELSE 0 END) AS breached
    FROM fact_case k JOIN {CURRENT} c ON c.customer_id = k.customer_id
    WHERE k.is_open
    GROUP BY 1, 2, 3, 4, 5, 6"""


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


def _offers(d: Dialect) -> str:
    return f"""
    SELECT q.customer_id, c.owner_id, c.team_id, COUNT(*) AS quotes,
           SUM(CASE WHEN q.sent_at IS NOT NULL THEN 1 ELSE 0 END) AS sent,
           SUM(CASE WHEN q.status = 'accepted' THEN 1 ELSE 0 END) AS accepted,
           SUM(CASE WHEN q.status IN ('rejected', 'expired') THEN 1 ELSE 0 END) AS lost,
           CAST(SUM(q.total) AS DECIMAL(18,2)) AS quoted,
           CAST(SUM(CASE WHEN q.status = 'accepted' THEN q.total ELSE 0 END)
                AS DECIMAL(18,2)) AS accepted_value,
           MAX(CAST(q.created_at AS DATE)) AS last_quote
    FROM fact_quote q JOIN {CURRENT} c ON c.customer_id = q.customer_id
    GROUP BY 1, 2, 3"""


def _campaigns(d: Dialect) -> str:
    def count(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    return f"""
    SELECT r.campaign_id, k.name AS campaign, k.channel, {d.month("r.date_key")} AS month,
           c.owner_id, c.team_id,
           {count("r.target_group = 'target'")} AS targeted,
           {count("r.target_group = 'control'")} AS control,
           {count("r.sent_at IS NOT NULL")} AS sent,
           {count("r.delivered")} AS delivered,
           {count("r.bounced")} AS bounced,
           {count("r.opened_at IS NOT NULL")} AS opened,
           {count("r.clicked_at IS NOT NULL")} AS clicked,
           {count("r.unsubscribed_at IS NOT NULL")} AS unsubscribed,
           {count("r.converted_at IS NOT NULL")} AS converted,
           CAST(SUM(COALESCE(r.revenue, 0)) AS DECIMAL(18,2)) AS revenue
    FROM fact_campaign_response r
    JOIN dim_campaign k ON k.campaign_id = r.campaign_id
    JOIN {CURRENT} c ON c.customer_id = r.customer_id
    GROUP BY 1, 2, 3, 4, 5, 6"""


def _web(d: Dialect) -> str:
    return f"""
    SELECT {d.month("e.occurred_at")} AS month, e.site_id, e.page, e.name,
           c.owner_id, c.team_id, COUNT(*) AS events,
           SUM(CASE WHEN e.customer_id IS NULL THEN 0 ELSE 1 END) AS identified,
           COUNT(DISTINCT e.visitor_key) AS visitors,
           COUNT(DISTINCT e.customer_id) AS customers
    FROM fact_web_event e LEFT JOIN {CURRENT} c ON c.customer_id = e.customer_id
    GROUP BY 1, 2, 3, 4, 5, 6"""


def _journeys(d: Dialect) -> str:
    return f"""
    SELECT n.journey_id, n.journey, n.status, {d.month("n.entered_at")} AS month,
           c.owner_id, c.team_id, COUNT(*) AS enrolments,
           COUNT(DISTINCT n.customer_id) AS customers
    FROM fact_journey_enrolment n JOIN {CURRENT} c ON c.customer_id = n.customer_id
    GROUP BY 1, 2, 3, 4, 5, 6"""


def _loyalty(d: Dialect) -> str:
    return f"""
    SELECT v.programme_id, v.programme, v.kind, {d.month("v.occurred_at")} AS month,
           c.owner_id, c.team_id, COUNT(*) AS movements,
           SUM(CASE WHEN v.points > 0 THEN v.points ELSE 0 END) AS points_in,
           SUM(CASE WHEN v.points < 0 THEN -v.points ELSE 0 END) AS points_out,
           COUNT(DISTINCT v.membership_id) AS members
    FROM fact_loyalty_movement v JOIN {CURRENT} c ON c.customer_id = v.customer_id
    GROUP BY 1, 2, 3, 4, 5, 6"""


def _segments(d: Dialect) -> str:
    return f"""
    SELECT s.segment_key, s.name AS segment, s.kind, c.owner_id, c.team_id,
           COUNT(*) AS customers,
           SUM(CASE WHEN o.orders IS NULL THEN 0 ELSE 1 END) AS buyers,
           CAST(SUM(COALESCE(o.orders, 0)) AS BIGINT) AS orders,
           CAST(SUM(COALESCE(o.revenue, 0)) AS DECIMAL(18,2)) AS revenue,
           CAST(SUM(COALESCE(k.open_cases, 0)) AS BIGINT) AS open_cases,
           CAST(SUM(COALESCE(sc.clv, 0)) AS DECIMAL(18,2)) AS clv
    FROM fact_segment_membership m
    JOIN dim_segment s ON s.segment_key = m.segment_key
    JOIN {CURRENT} c ON c.customer_id = m.customer_id
    LEFT JOIN (SELECT customer_id, COUNT(*) AS orders,
                      CAST(SUM(total) AS DECIMAL(18,2)) AS revenue
               FROM fact_order WHERE {SOLD} GROUP BY customer_id) o
           ON o.customer_id = m.customer_id
    LEFT JOIN (SELECT customer_id, COUNT(*) AS open_cases FROM fact_case WHERE is_open
               GROUP BY customer_id) k ON k.customer_id = m.customer_id
    LEFT JOIN fact_score sc ON sc.customer_id = m.customer_id
    GROUP BY 1, 2, 3, 4, 5"""


MARTS = (
    Mart(
        "mart_commercial_results",
        _("Commercial direction"),
        _("Results"),
        _(
            "Per month and account manager/team of the customer: orders placed (not draft "
            "or cancelled), their revenue, buying customers, opportunities won (with their "
            "amount in the company currency) and lost in the month they closed."
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
    Mart(
        "mart_finance_profitability",
        _("Finance"),
        _("Profitability per customer"),
        _(
            "Per customer: orders and revenue, active holdings and their recurring price, "
            "open payment incidents and the amount unpaid; net value = revenue + recurring "
            "− unpaid (no cost data is recorded yet, so this is value, not margin)."
        ),
        _profitability,
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
    Mart(
        "mart_marketing_priority",
        _("Marketing"),
        _("Churn and prioritisation"),
        _(
            "Per customer: days since the last order, orders, revenue, interactions in the "
            "last 90 days, open cases, and the data-mining scores when they exist (churn "
            "probability, lifetime value, RFM segment; empty until the models run). Value "
            "at risk = churn probability × (lifetime value, or revenue without one)."
        ),
        _priority,
    ),
    Mart(
        "mart_marketing_campaigns",
        _("Marketing"),
        _("Campaign results"),
        _(
            "Per campaign and month the message went (or the campaign was launched, for "
            "those never sent) and owner/team of the customer: customers in the target and "
            "control groups, messages sent, delivered, bounced, opened, clicked, "
            "unsubscribed, customers converted and the revenue they brought."
        ),
        _campaigns,
    ),
    Mart(
        "mart_marketing_web",
        _("Marketing"),
        _("Web events by page"),
        _(
            "Per month, site, page (the address without its query) and event name, and "
            "owner/team of the customer (empty for anonymous visitors): events, events of "
            "identified customers, distinct visitors and customers in that month (these "
            "two do not add up across months or pages)."
        ),
        _web,
    ),
    Mart(
        "mart_marketing_journeys",
        _("Marketing"),
        _("Journey enrolments"),
        _(
            "Per journey, status (in progress, finished, left early), month entered and "
            "owner/team of the customer: enrolments and distinct customers."
        ),
        _journeys,
    ),
    Mart(
        "mart_marketing_loyalty",
        _("Marketing"),
        _("Loyalty points"),
        _(
            "Per loyalty programme, kind of movement (earned, redeemed, expired, adjusted, "
            "reversed), month and owner/team of the customer: movements, points credited, "
            "points debited and distinct members."
        ),
        _loyalty,
    ),
    Mart(
        "mart_marketing_segments",
        _("Marketing"),
        _("Segments and lists"),
        _(
            "Per segment or static list (its kind: dynamic rules or a fixed list) and "
            "owner/team of the customer, as of the last load: members, members who bought, "
            "their orders (not draft or cancelled) and revenue, open cases and lifetime "
            "value (empty until the models run). A customer in two segments counts in both."
        ),
        _segments,
    ),
    Mart(
        "mart_service_sla",
        _("Service"),
        _("SLA and satisfaction"),
        _(
            "Per month opened, queue and priority: cases opened and resolved, first "
            "responses and resolutions past their SLA due time, hours to resolve (sum, "
            "divide by resolved), satisfaction answers and their points (1 to 5 each)."
        ),
        _sla,
    ),
    Mart(
        "mart_service_backlog",
        _("Service"),
        _("Backlog"),
        _(
            "Open cases (new, open, waiting, reopened) per status, priority, queue and age "
            "band in days, with those already past their resolution due time."
        ),
        _backlog,
    ),
    Mart(
        "mart_operations_orders",
        _("Operations"),
        _("Orders and delivery"),
        _(
            "Per month created and status: orders, value, lines and units, delivered, "
            "delivered on or before the promised date, and days from order to delivery "
            "(sum, divide by delivered)."
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
    ),
)
MART_NAMES = tuple(m.name for m in MARTS)
SCORE_TABLE = "fact_score"
SCORE_DDL = (
    "customer_id BIGINT PRIMARY KEY, churn_probability DOUBLE, clv DECIMAL(18,2), "
    "rfm_segment VARCHAR"
)


def marts_build(con, *, scores: dict[str, str]) -> None:
    """Copy the scores (when the models wrote any) and rebuild every mart."""
    con.execute(f"CREATE OR REPLACE TABLE {SCORE_TABLE} ({SCORE_DDL})")
    if scores:
        source = next(iter(scores.values()))
        columns = ["churn_probability", "clv", "rfm_segment"]
        picked = [
            f"CAST({c} AS {t})" if c in scores else f"CAST(NULL AS {t})"
            for c, t in zip(columns, ["DOUBLE", "DECIMAL(18,2)", "VARCHAR"], strict=True)
        ]
        con.execute(
            f"INSERT INTO {SCORE_TABLE} SELECT DISTINCT ON (customer_id) customer_id, "
            f"{', '.join(picked)} FROM {source}"
        )
    for mart in MARTS:
        con.execute(f"CREATE OR REPLACE TABLE {mart.name} AS {mart.sql(DUCKDB)}")
