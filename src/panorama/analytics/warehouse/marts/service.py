"""Service marts: SLA and satisfaction, backlog."""

from django.utils.translation import gettext_lazy as _

from .base import CURRENT, Dialect, Mart


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


MARTS = (
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
)
