"""Marketing marts: churn and prioritisation, campaigns, web events, journeys,
loyalty points and segments."""

from django.utils.translation import gettext_lazy as _

from .base import (
    CURRENT,
    OPEN_CASES_PER_CUSTOMER,
    ORDERS_PER_CUSTOMER,
    SALES,
    Dialect,
    M,
    Mart,
    among,
    open_cases_per_customer,
)


def _priority(d: Dialect, keys: str = "") -> str:
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
               FROM {SALES} s WHERE {among(keys)} GROUP BY customer_id) o
           ON o.customer_id = c.customer_id
    LEFT JOIN (SELECT customer_id, COUNT(*) AS recent FROM fact_interaction
               WHERE {d.days("occurred_at", "current_date")} <= 90 AND {among(keys)}
               GROUP BY customer_id) i ON i.customer_id = c.customer_id
    LEFT JOIN {open_cases_per_customer(keys)} k ON k.customer_id = c.customer_id
    LEFT JOIN fact_score s ON s.customer_id = c.customer_id
    WHERE (o.orders IS NOT NULL OR i.recent IS NOT NULL OR k.open_cases IS NOT NULL
           OR s.customer_id IS NOT NULL) AND {among(keys, "c.customer_id")}"""


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
    LEFT JOIN {ORDERS_PER_CUSTOMER} o
           ON o.customer_id = m.customer_id
    LEFT JOIN {OPEN_CASES_PER_CUSTOMER} k ON k.customer_id = m.customer_id
    LEFT JOIN fact_score sc ON sc.customer_id = m.customer_id
    GROUP BY 1, 2, 3, 4, 5"""


MARTS = (
    Mart(
        "mart_marketing_priority",
        _("Marketing"),
        _("Churn and prioritisation"),
        _(
            "Per customer: days since the last order, orders, revenue (CRM sales orders not "
            "draft or cancelled, and imported purchases), interactions in the "
            "last 90 days, open cases, and the data-mining scores when they exist (churn "
            "probability, lifetime value, RFM segment; empty until the models run). Value "
            "at risk = churn probability × (lifetime value, or revenue without one)."
        ),
        _priority,
        keyed=True,
        inputs=(
            "dim_customer",
            "fact_order",
            "fact_purchase",
            "fact_interaction",
            "fact_case",
            "fact_score",
        ),
        dated=True,
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
            "their orders (CRM orders not draft or cancelled, and imported purchases) and "
            "revenue, open cases and lifetime "
            "value (empty until the models run). A customer in two segments counts in both."
        ),
        _segments,
    ),
)
