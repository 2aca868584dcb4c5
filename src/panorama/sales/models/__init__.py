"""The sales models, one module per sub-domain (Django registers them all with ``sales``)."""

from .lead import Lead
from .pipeline import Competitor, LostReason, Opportunity, Pipeline, Stage, StageChange

__all__ = [
    "Competitor",
    "Lead",
    "LostReason",
    "Opportunity",
    "Pipeline",
    "Stage",
    "StageChange",
]
