"""The sales models, one module per sub-domain (Django registers them all with ``sales``)."""

from .lead import Lead, LeadActivity
from .lead_import import LeadImport, LeadImportRow
from .lead_rules import AssignmentRule, ScoringRule, WebForm, WebFormThrottle
from .pipeline import (
    Competitor,
    LostReason,
    Opportunity,
    OpportunityProduct,
    Pipeline,
    Stage,
    StageChange,
)

__all__ = [
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
    "OpportunityProduct",
    "Pipeline",
    "Stage",
    "StageChange",
]
