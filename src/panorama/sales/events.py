"""The events the sales app emits (see core.events, docs/events.md)."""

from pydantic import Field

from panorama.core.events import Payload, event


@event("lead.created")
class LeadCreated(Payload):
    """A lead was captured (web form, e-mail, import, API or by hand)."""

    lead_id: int = Field(description="the new lead")
    source: str = Field(description="web_form, email, import, api, manual...")
    by: int | None = Field(description="the user who created it (null: a form or the system)")


@event("opportunity.created")
class OpportunityCreated(Payload):
    """An opportunity was opened for a customer."""

    opportunity_id: int = Field(description="the new opportunity")
    customer_id: int = Field(description="its customer")
    pipeline_id: int = Field(description="its pipeline")
    stage_id: int = Field(description="the stage it starts in")
    by: int | None = Field(description="the user who opened it (null: the system)")


@event("opportunity.stage_changed")
class OpportunityStageChanged(Payload):
    """An opportunity moved from one stage to another (a win or a loss too)."""

    opportunity_id: int = Field(description="the opportunity")
    customer_id: int = Field(description="its customer")
    from_stage_id: int = Field(description="the stage it left")
    to_stage_id: int = Field(description="the stage it entered")
    status: str = Field(description="open, won or lost after the move")
    by: int | None = Field(description="who moved it (null: the system)")


@event("opportunity.won")
class OpportunityWon(Payload):
    """An opportunity entered a won stage."""

    opportunity_id: int = Field(description="the opportunity")
    customer_id: int = Field(description="its customer")
    amount_base: str = Field(description="its amount in the company currency (decimal string)")
    by: int | None = Field(description="who won it (null: the system)")


@event("opportunity.lost")
class OpportunityLost(Payload):
    """An opportunity entered a lost stage."""

    opportunity_id: int = Field(description="the opportunity")
    customer_id: int = Field(description="its customer")
    lost_reason_id: int = Field(description="why it was lost")
    by: int | None = Field(description="who recorded the loss (null: the system)")
