"""The sales models, one module per sub-domain (Django registers them all with ``sales``)."""

from .agenda import Activity, CalendarFeed
from .forecast import ForecastAdjustment
from .lead import Lead, LeadActivity
from .lead_import import LeadImport, LeadImportRow
from .lead_rules import AssignmentRule, ScoringRule, WebForm, WebFormThrottle
from .order import Order, OrderLine, OrderPromotion
from .pipeline import (
    Competitor,
    LostReason,
    Opportunity,
    OpportunityProduct,
    Pipeline,
    Stage,
    StageChange,
    StageTotal,
)
from .quote import Quote, QuoteLine
from .script import Script
from .settings import SalesSettingChange

__all__ = [
    "Activity",
    "CalendarFeed",
    "ForecastAdjustment",
    "Script",
    "SalesSettingChange",
    "Competitor",
    "AssignmentRule",
    "Lead",
    "LeadActivity",
    "LeadImport",
    "LeadImportRow",
    "ScoringRule",
    "WebForm",
    "WebFormThrottle",
    "LostReason",
    "Opportunity",
    "OrderPromotion",
    "OpportunityProduct",
    "Order",
    "OrderLine",
    "Quote",
    "QuoteLine",
    "Pipeline",
    "Stage",
    "StageChange",
    "StageTotal",
]
