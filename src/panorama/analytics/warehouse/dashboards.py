"""Dashboards per department: widgets over the marts, each with its drill-down to the
customers behind a bar. Every query is scoped by ``selectors.scope`` (the customers
app's record-level rule on the customer's owner and team)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Role

ALL = frozenset(Role.values)


@dataclass(frozen=True)
class Department:
    key: str
    title: Promise
    roles: frozenset[str]
    icon: str


@dataclass(frozen=True)
class Top:
    """How a table widget finds its first rows in its mart before joining the names:
    ``keys``, the mart's columns its order starts with (each descending, NULLs last; the
    display name and the customer id only break ties after them). Its ``sql`` reads
    ``{rows}``: the scoped rows of ``mart`` that can come first (``selectors``)."""

    mart: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Widget:
    key: str
    department: str
    title: Promise
    chart: str  # bar | line | doughnut | table
    columns: tuple[Promise, ...]  # the label column first, then one per value
    sql: str  # FROM a mart, ``{where}`` scopes it, columns: label, values...
    # (a table widget with ``top``: FROM ``{rows}``, its mart's rows in scope)
    period: str = ""  # the mart's month column, when the period filter applies
    drill: str = ""  # customers behind one label: ``{where}`` on c, ``?`` the label
    drill_columns: tuple[Promise, ...] = ()
    order: str = "1"
    limit: int = 0
    money: tuple[int, ...] = ()  # value positions shown as money
    top: Top | None = None  # a table widget's order, found in its mart first


DEPARTMENTS = (
    Department(
        "commercial",
        _("Commercial direction"),
        frozenset({Role.SALES_REP, Role.SALES_MANAGER, Role.ADMIN, Role.ANALYST}),
        "graph-up",
    ),
    Department(
        "finance",
        _("Finance"),
        frozenset({Role.SALES_MANAGER, Role.ADMIN, Role.ANALYST}),
        "cash-coin",
    ),
    Department(
        "marketing",
        _("Marketing"),
        frozenset({Role.MARKETING, Role.ADMIN, Role.ANALYST}),
        "bullseye",
    ),
    Department(
        "service",
        _("Service"),
        frozenset({Role.SERVICE_AGENT, Role.SALES_MANAGER, Role.ADMIN, Role.ANALYST}),
        "life-preserver",
    ),
    Department(
        "operations",
        _("Operations"),
        frozenset({Role.SALES_MANAGER, Role.ADMIN, Role.ANALYST}),
        "truck",
    ),
    Department(
        "salesadmin",
        _("Sales administration"),
        frozenset({Role.SALES_REP, Role.SALES_MANAGER, Role.ADMIN, Role.ANALYST}),
        "file-earmark-text",
    ),
)

CUSTOMER = _("Customer")
CUSTOMERS_OF = """
    SELECT c.customer_id, c.display_name, {measures}
    FROM ({facts}) f
    JOIN dim_customer c ON c.customer_id = f.customer_id AND c.is_current
    WHERE {{where}}
    GROUP BY c.customer_id, c.display_name
    ORDER BY 3 DESC, c.display_name
    LIMIT 200"""

MONTH = "strftime(month, '%Y-%m')"

WIDGETS = (
    Widget(
        "revenue",
        "commercial",
        _("Revenue per month"),
        "bar",
        (_("Month"), _("Revenue"), _("Orders")),
        f"SELECT {MONTH}, SUM(revenue), SUM(orders) FROM mart_commercial_results "
        "WHERE {where} GROUP BY 1",
        period="month",
        drill=CUSTOMERS_OF.format(
            facts="SELECT customer_id, total FROM (SELECT customer_id, created_at, total "
            "FROM fact_order WHERE status NOT IN ('draft', 'cancelled') UNION ALL "
            "SELECT customer_id, CAST(date_key AS TIMESTAMP), amount FROM fact_purchase) s "
            "WHERE strftime(created_at, '%Y-%m') = ?",
            measures="SUM(f.total), COUNT(*)",
        ),
        drill_columns=(CUSTOMER, _("Revenue"), _("Orders")),
        money=(1,),
    ),
    Widget(
        "pipeline",
        "commercial",
        _("Open pipeline per stage"),
        "bar",
        (_("Stage"), _("Amount"), _("Weighted")),
        "SELECT stage, SUM(amount), SUM(weighted) FROM mart_commercial_pipeline "
        "WHERE {where} GROUP BY stage, stage_position ORDER BY stage_position",
        drill=CUSTOMERS_OF.format(
            facts="SELECT customer_id, amount_base FROM fact_opportunity "
            "WHERE status = 'open' AND stage = ?",
            measures="SUM(f.amount_base), COUNT(*)",
        ),
        drill_columns=(CUSTOMER, _("Amount"), _("Opportunities")),
        order="",
        money=(1, 2),
    ),
    Widget(
        "activity",
        "commercial",
        _("Contacts per channel"),
        "doughnut",
        (_("Channel"), _("Interactions")),
        "SELECT channel, SUM(interactions) FROM mart_commercial_activity WHERE {where} GROUP BY 1",
        period="month",
        drill=CUSTOMERS_OF.format(
            facts="SELECT customer_id FROM fact_interaction WHERE channel = ?",
            measures="COUNT(*)",
        ),
        drill_columns=(CUSTOMER, _("Interactions")),
    ),
    Widget(
        "incidents",
        "finance",
        _("Payment incidents per month due"),
        "bar",
        (_("Month"), _("Amount"), _("Incidents")),
        f"SELECT {MONTH}, SUM(amount), SUM(incidents) FROM mart_finance_incidents "
        "WHERE {where} GROUP BY 1",
        period="month",
        drill=CUSTOMERS_OF.format(
            facts="SELECT customer_id, amount FROM fact_billing_incident "
            "WHERE strftime(due_date, '%Y-%m') = ?",
            measures="SUM(f.amount), COUNT(*)",
        ),
        drill_columns=(CUSTOMER, _("Amount"), _("Incidents")),
        money=(1,),
    ),
    Widget(
        "profitability",
        "finance",
        _("Customers by net value"),
        "table",
        (CUSTOMER, _("Revenue"), _("Recurring"), _("Unpaid"), _("Net value")),
        "SELECT m.customer_id, c.display_name, m.revenue, m.recurring, m.unpaid, m.net_value "
        "FROM {rows} m JOIN dim_customer c "
        "ON c.customer_id = m.customer_id AND c.is_current "
        "ORDER BY m.net_value DESC, c.display_name, m.customer_id",
        order="",
        limit=50,
        money=(1, 2, 3, 4),
        top=Top("mart_finance_profitability", ("net_value",)),
    ),
    Widget(
        "recency",
        "marketing",
        _("Customers by days since the last order"),
        "bar",
        (_("Days"), _("Customers")),
        "SELECT CASE WHEN recency_days <= 30 THEN '0-30' WHEN recency_days <= 90 THEN '31-90' "
        "WHEN recency_days <= 180 THEN '91-180' WHEN recency_days <= 365 THEN '181-365' "
        "ELSE '365+' END AS band, COUNT(*) FROM mart_marketing_priority "
        "WHERE recency_days IS NOT NULL AND {where} GROUP BY 1 "
        "ORDER BY min(recency_days)",
        drill=CUSTOMERS_OF.format(
            facts="SELECT customer_id, recency_days FROM mart_marketing_priority "
            "WHERE CASE WHEN recency_days <= 30 THEN '0-30' WHEN recency_days <= 90 "
            "THEN '31-90' WHEN recency_days <= 180 THEN '91-180' WHEN recency_days <= 365 "
            "THEN '181-365' ELSE '365+' END = ?",
            measures="MIN(f.recency_days)",
        ),
        drill_columns=(CUSTOMER, _("Days")),
        order="",
    ),
    Widget(
        "priority",
        "marketing",
        _("Customers to look after first"),
        "table",
        (CUSTOMER, _("Value at risk"), _("Churn probability"), _("Lifetime value"), _("Days")),
        "SELECT m.customer_id, c.display_name, m.value_at_risk, m.churn_probability, m.clv, "
        "m.recency_days FROM {rows} m JOIN dim_customer c "
        "ON c.customer_id = m.customer_id AND c.is_current "
        "ORDER BY m.value_at_risk DESC, m.monetary DESC, c.display_name, m.customer_id",
        order="",
        limit=50,
        money=(1, 3),
        top=Top("mart_marketing_priority", ("value_at_risk", "monetary")),
    ),
    Widget(
        "campaigns",
        "marketing",
        _("Campaign results"),
        "bar",
        (
            _("Campaign"),
            _("Sent"),
            _("Delivered"),
            _("Opened"),
            _("Clicked"),
            _("Unsubscribed"),
            _("Bounced"),
        ),
        "SELECT campaign, SUM(sent), SUM(delivered), SUM(opened), SUM(clicked), "
        "SUM(unsubscribed), SUM(bounced) FROM mart_marketing_campaigns WHERE {where} "
        "GROUP BY campaign_id, campaign",
        period="month",
        drill=CUSTOMERS_OF.format(
            facts="SELECT r.customer_id, r.opens, r.clicks FROM fact_campaign_response r "
            "JOIN dim_campaign k ON k.campaign_id = r.campaign_id WHERE k.name = ?",
            measures="SUM(f.opens), SUM(f.clicks)",
        ),
        drill_columns=(CUSTOMER, _("Opens"), _("Clicks")),
        order="2 DESC, 1",
        limit=15,
    ),
    Widget(
        "campaign_months",
        "marketing",
        _("Campaign responses per month"),
        "line",
        (_("Month"), _("Sent"), _("Opened"), _("Clicked"), _("Converted")),
        f"SELECT {MONTH}, SUM(sent), SUM(opened), SUM(clicked), SUM(converted) "
        "FROM mart_marketing_campaigns WHERE {where} GROUP BY 1",
        period="month",
    ),
    Widget(
        "web_pages",
        "marketing",
        _("Web events by page"),
        "bar",
        (_("Page"), _("Events"), _("Of identified customers")),
        "SELECT page, SUM(events), SUM(identified) FROM mart_marketing_web WHERE {where} "
        "GROUP BY 1",
        period="month",
        drill=CUSTOMERS_OF.format(
            facts="SELECT customer_id FROM fact_web_event WHERE page = ?",
            measures="COUNT(*)",
        ),
        drill_columns=(CUSTOMER, _("Events")),
        order="2 DESC, 1",
        limit=15,
    ),
    Widget(
        "journeys",
        "marketing",
        _("Journey enrolments"),
        "bar",
        (_("Journey"), _("In progress"), _("Finished"), _("Left early")),
        "SELECT journey, SUM(CASE WHEN status = 'active' THEN enrolments ELSE 0 END), "
        "SUM(CASE WHEN status = 'done' THEN enrolments ELSE 0 END), "
        "SUM(CASE WHEN status = 'exited' THEN enrolments ELSE 0 END) "
        "FROM mart_marketing_journeys WHERE {where} GROUP BY journey_id, journey",
        period="month",
        order="1",
    ),
    Widget(
        "loyalty",
        "marketing",
        _("Loyalty points per programme"),
        "bar",
        (_("Programme"), _("Points credited"), _("Points debited"), _("Movements")),
        "SELECT programme, SUM(points_in), SUM(points_out), SUM(movements) "
        "FROM mart_marketing_loyalty WHERE {where} GROUP BY programme_id, programme",
        period="month",
        drill=CUSTOMERS_OF.format(
            facts="SELECT customer_id, points FROM fact_loyalty_movement WHERE programme = ?",
            measures="SUM(CASE WHEN f.points > 0 THEN f.points ELSE 0 END), "
            "SUM(CASE WHEN f.points < 0 THEN -f.points ELSE 0 END)",
        ),
        drill_columns=(CUSTOMER, _("Points credited"), _("Points debited")),
        order="1",
    ),
    Widget(
        "sla",
        "service",
        _("Cases per month and SLA breaches"),
        "bar",
        (_("Month"), _("Opened"), _("Resolved late")),
        f"SELECT {MONTH}, SUM(opened), SUM(resolution_breached) FROM mart_service_sla "
        "WHERE {where} GROUP BY 1",
        period="month",
        drill=CUSTOMERS_OF.format(
            facts="SELECT customer_id FROM fact_case WHERE strftime(created_at, '%Y-%m') = ?",
            measures="COUNT(*)",
        ),
        drill_columns=(CUSTOMER, _("Cases")),
    ),
    Widget(
        "csat",
        "service",
        _("Satisfaction per month (1 to 5)"),
        "line",
        (_("Month"), _("Average score")),
        f"SELECT {MONTH}, ROUND(SUM(csat_points) / NULLIF(SUM(csat_answers), 0), 2) "
        "FROM mart_service_sla WHERE {where} GROUP BY 1 HAVING SUM(csat_answers) > 0",
        period="month",
    ),
    Widget(
        "backlog",
        "service",
        _("Open cases by age (days)"),
        "bar",
        (_("Age"), _("Cases"), _("Past due")),
        "SELECT age, SUM(cases), SUM(breached) FROM mart_service_backlog WHERE {where} "
        "GROUP BY 1 ORDER BY CASE age WHEN '0-1' THEN 0 WHEN '1-7' THEN 1 "
        "WHEN '7-30' THEN 2 ELSE 3 END",
        order="",
    ),
    Widget(
        "orders",
        "operations",
        _("Orders per month and delivery"),
        "bar",
        (_("Month"), _("Orders"), _("Delivered"), _("On time")),
        f"SELECT {MONTH}, SUM(orders), SUM(delivered), SUM(on_time) FROM mart_operations_orders "
        "WHERE status <> 'draft' AND {where} GROUP BY 1",
        period="month",
        drill=CUSTOMERS_OF.format(
            facts="SELECT customer_id FROM fact_order WHERE status <> 'draft' "
            "AND strftime(created_at, '%Y-%m') = ?",
            measures="COUNT(*)",
        ),
        drill_columns=(CUSTOMER, _("Orders")),
    ),
    Widget(
        "offers",
        "salesadmin",
        _("Offers per customer"),
        "table",
        (CUSTOMER, _("Quotes"), _("Sent"), _("Accepted"), _("Quoted"), _("Last quote")),
        "SELECT m.customer_id, c.display_name, m.quotes, m.sent, m.accepted, m.quoted, "
        "m.last_quote FROM {rows} m JOIN dim_customer c "
        "ON c.customer_id = m.customer_id AND c.is_current "
        "ORDER BY m.quoted DESC, c.display_name, m.customer_id",
        order="",
        limit=50,
        money=(4,),
        top=Top("mart_salesadmin_offers", ("quoted",)),
    ),
)


def department_get(key: str) -> Department | None:
    return next((d for d in DEPARTMENTS if d.key == key), None)


def departments_for(user) -> list[Department]:
    if user.is_superuser:
        return list(DEPARTMENTS)
    return [d for d in DEPARTMENTS if user.role in d.roles]


def widgets_of(department: str) -> list[Widget]:
    return [w for w in WIDGETS if w.department == department]


def widget_get(department: str, key: str) -> Widget | None:
    return next((w for w in widgets_of(department) if w.key == key), None)
