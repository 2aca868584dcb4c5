"""The service models, one module per sub-domain (Django registers them all with ``service``)."""

from .case import Case, CaseMessage, Queue, QueueMember
from .knowledge import Article, ArticleCategory, ArticleFeedback, ArticleVersion
from .sla import BusinessCalendar, CalendarHoliday, CaseSurvey, SlaPolicy

__all__ = [
    "Article",
    "ArticleCategory",
    "ArticleFeedback",
    "ArticleVersion",
    "BusinessCalendar",
    "CalendarHoliday",
    "Case",
    "CaseMessage",
    "CaseSurvey",
    "Queue",
    "QueueMember",
    "SlaPolicy",
]
