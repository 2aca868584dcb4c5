"""The service models, one module per sub-domain (Django registers them all with ``service``)."""

from .call import Call, CallbackForm, CallbackRequest, CallEvent, Extension, Pbx
from .case import Case, CaseMessage, Queue, QueueMember
from .defect import Defect
from .knowledge import Article, ArticleCategory, ArticleFeedback, ArticleVersion
from .sla import BusinessCalendar, CalendarHoliday, CaseSurvey, SlaPolicy

__all__ = [
    "Article",
    "ArticleCategory",
    "ArticleFeedback",
    "ArticleVersion",
    "BusinessCalendar",
    "Call",
    "CallEvent",
    "CallbackForm",
    "CallbackRequest",
    "Extension",
    "Pbx",
    "CalendarHoliday",
    "Case",
    "CaseMessage",
    "CaseSurvey",
    "Defect",
    "Queue",
    "QueueMember",
    "SlaPolicy",
]
