"""The service models, one module per sub-domain (Django registers them all with ``service``)."""

from .asset import Asset
from .call import Call, CallbackForm, CallbackRequest, CallEvent, Extension, Pbx
from .case import Case, CaseAttachment, CaseMessage, Queue, QueueMember
from .contract import ServiceContract
from .defect import Defect
from .knowledge import Article, ArticleCategory, ArticleFeedback, ArticleVersion
from .parts import Part, StockLevel, StockLocation, StockMove
from .sla import BusinessCalendar, CalendarHoliday, CaseSurvey, SlaPolicy, SlaRecountPending
from .workorder import MaintenancePlan, TechnicianProfile, WorkOrder

__all__ = [
    "Asset",
    "MaintenancePlan",
    "Part",
    "ServiceContract",
    "StockLevel",
    "StockLocation",
    "StockMove",
    "TechnicianProfile",
    "WorkOrder",
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
    "CaseAttachment",
    "CaseMessage",
    "CaseSurvey",
    "Defect",
    "Queue",
    "SlaRecountPending",
    "QueueMember",
    "SlaPolicy",
]
