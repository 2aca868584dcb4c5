"""Marketing's models: segments, lists, templates and campaigns (``campaigns``); sign-up
forms with double opt-in (``signups``); journeys and their enrolments (``journeys``)."""

from .campaigns import (
    Campaign,
    CampaignVariant,
    ListMembership,
    MessageTemplate,
    Recipient,
    Segment,
    StaticList,
)
from .journeys import Enrolment, Journey, JourneyMessage, JourneyStep
from .signups import OptIn, SignupForm, Suppression
from .targeting import SegmentAlert

__all__ = [
    "Campaign",
    "CampaignVariant",
    "Enrolment",
    "Journey",
    "JourneyMessage",
    "JourneyStep",
    "ListMembership",
    "MessageTemplate",
    "OptIn",
    "Recipient",
    "Segment",
    "SegmentAlert",
    "SignupForm",
    "StaticList",
    "Suppression",
]
