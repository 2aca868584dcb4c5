"""The service models, one module per sub-domain (Django registers them all with ``service``)."""

from .case import Case, CaseMessage, Queue, QueueMember
from .sla import BusinessCalendar, CalendarHoliday, CaseSurvey, SlaPolicy

__all__ = [
    "BusinessCalendar",
    "CalendarHoliday",
    "Case",
    "CaseMessage",
    "CaseSurvey",
    "Queue",
    "QueueMember",
    "SlaPolicy",
]
