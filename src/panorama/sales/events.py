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


# --- leads ----------------------------------------------------------------------------


@event("lead.updated")
class LeadUpdated(Payload):
    """A lead's fields were changed."""

    lead_id: int = Field(description="the lead")
    fields: list[str] = Field(description="the fields that changed")
    by: int | None = Field(description="who changed it (null: the system)")


@event("lead.assigned")
class LeadAssigned(Payload):
    """A lead was given to a rep and/or a team, by hand or by an assignment rule."""

    lead_id: int = Field(description="the lead")
    owner_id: int | None = Field(description="its rep now (null: nobody)")
    team_id: int | None = Field(description="its team now (null: none)")
    rule: str = Field(description="the assignment rule that chose (empty: by hand)")
    by: int | None = Field(description="who assigned it (null: the rules or the system)")


@event("lead.qualified")
class LeadQualified(Payload):
    """A lead was qualified: worth converting."""

    lead_id: int = Field(description="the lead")
    by: int | None = Field(description="who qualified it (null: the system)")


@event("lead.disqualified")
class LeadDisqualified(Payload):
    """A lead was disqualified, with the reason."""

    lead_id: int = Field(description="the lead")
    reason: str = Field(description="why")
    by: int | None = Field(description="who disqualified it (null: the system)")


@event("lead.reopened")
class LeadReopened(Payload):
    """A lead went back to being worked on (from qualified or disqualified)."""

    lead_id: int = Field(description="the lead")
    status: str = Field(description="its status now")
    by: int | None = Field(description="who reopened it (null: the system)")


@event("lead.activity_recorded")
class LeadActivityRecorded(Payload):
    """Something happened to a lead (a web visit, an e-mail reply, a call...)."""

    lead_id: int = Field(description="the lead")
    kind: str = Field(description="web_visit, email_reply, email_open, call, meeting, note")
    score: int = Field(description="the lead's score after it")
    by: int | None = Field(description="who recorded it (null: a tracker or the system)")


@event("lead.converted")
class LeadConverted(Payload):
    """A lead became a customer (found or created) and maybe an opportunity."""

    lead_id: int = Field(description="the lead")
    customer_id: int = Field(description="the customer it became")
    opportunity_id: int | None = Field(description="the opportunity opened (null: none)")
    reused_customer: bool = Field(description="true when an existing customer was chosen")
    by: int | None = Field(description="who converted it (null: the system)")


@event("lead.imported")
class LeadImported(Payload):
    """A file of leads was imported (each lead also emits lead.created)."""

    import_id: int = Field(description="the lead import")
    created: int = Field(description="leads created")
    rejected: int = Field(description="rows rejected (in the import's report)")
    by: int | None = Field(description="who imported it")


@event("lead.import_undone")
class LeadImportUndone(Payload):
    """A lead import was undone: its untouched leads were removed."""

    import_id: int = Field(description="the lead import")
    removed: int = Field(
        description="leads removed (still new, never converted nor edited, no call or note "
        "logged, nothing on the agenda)"
    )
    kept: int = Field(description="leads kept because someone worked on them")
    by: int | None = Field(description="who undid it")


@event("opportunity.updated")
class OpportunityUpdated(Payload):
    """An opportunity's details changed (amount, dates, next step, owner, competitors...)."""

    opportunity_id: int = Field(description="the opportunity")
    customer_id: int = Field(description="its customer")
    fields: list[str] = Field(description="the fields that changed")
    by: int | None = Field(description="who changed it (null: the system)")


@event("sales.configured")
class SalesConfigured(Payload):
    """A pipeline, stage, lost reason or competitor was created, changed or removed."""

    model: str = Field(description="pipeline, stage, lostreason or competitor")
    object_id: int = Field(description="the record")
    action: str = Field(description="created, updated, reordered or deleted")
    by: int | None = Field(description="who configured it (null: the system)")


# --- the agenda, scripts and the forecast (agenda helper) -----------------------------


@event("activity.planned")
class ActivityPlanned(Payload):
    """A call, visit, meeting or task was put on a rep's agenda."""

    activity_id: int = Field(description="the new agenda item")
    kind: str = Field(description="call, visit, meeting or task")
    owner_id: int = Field(description="whose agenda it is on")
    customer_id: int | None = Field(description="the customer it concerns, if any")
    by: int | None = Field(description="who planned it (null: the system)")


@event("activity.updated")
class ActivityUpdated(Payload):
    """A planned agenda item was changed (time, duration, reminder, owner...)."""

    activity_id: int = Field(description="the agenda item")
    fields: list[str] = Field(description="the fields that changed")
    by: int | None = Field(description="who changed it (null: the system)")


@event("activity.completed")
class ActivityCompleted(Payload):
    """An agenda item was done; its outcome went to the customer's timeline."""

    activity_id: int = Field(description="the agenda item")
    customer_id: int | None = Field(description="the customer it concerns, if any")
    interaction_id: int | None = Field(description="the timeline entry it wrote, if any")
    by: int | None = Field(description="who logged it (null: the system)")


@event("activity.cancelled")
class ActivityCancelled(Payload):
    """A planned agenda item was cancelled."""

    activity_id: int = Field(description="the agenda item")
    by: int | None = Field(description="who cancelled it (null: the system)")


@event("script.saved")
class ScriptSaved(Payload):
    """A sales script was created or changed."""

    script_id: int = Field(description="the script")
    created: bool = Field(description="true when it is new")
    by: int | None = Field(description="who saved it (null: the system)")


@event("forecast.adjusted")
class ForecastAdjusted(Payload):
    """A manager set his own figure for a forecast category of a rep or a team."""

    adjustment_id: int = Field(description="the adjustment (kept with the earlier ones)")
    period: str = Field(description="2026-11 (a month) or 2026-Q4 (a quarter)")
    rep_id: int | None = Field(description="the rep it adjusts, or null")
    team_id: int | None = Field(description="the team it adjusts, or null")
    category: str = Field(description="pipeline, best_case, commit or closed")
    amount: str = Field(description="the adjusted amount, company currency (decimal string)")
    by: int | None = Field(description="who adjusted it (null: the system)")


@event("quote.created")
class QuoteCreated(Payload):
    """A quote (or a new version of one) was created."""

    quote_id: int = Field(description="the new quote")
    customer_id: int = Field(description="its customer")
    version: int = Field(description="its version number (1 for a first quote)")
    previous_id: int | None = Field(description="the version it copies (null: a first quote)")
    by: int | None = Field(description="who created it (null: the system)")


@event("quote.changed")
class QuoteChanged(Payload):
    """A quote's lines or terms changed and it was priced again."""

    quote_id: int = Field(description="the quote")
    total: str = Field(description="its new total, a decimal string in the quote's currency")
    by: int | None = Field(description="who changed it")


@event("quote.status_changed")
class QuoteStatusChanged(Payload):
    """A quote changed status: approval requested, approved, rejected, sent, accepted."""

    quote_id: int = Field(description="the quote")
    customer_id: int = Field(description="its customer")
    from_status: str = Field(description="the status it left")
    to_status: str = Field(description="the status it entered")
    by: int | None = Field(description="who did it (null: the customer through the link)")


@event("order.created")
class OrderCreated(Payload):
    """An order was placed, directly or from an accepted quote."""

    order_id: int = Field(description="the new order")
    customer_id: int = Field(description="its customer")
    quote_id: int | None = Field(description="the quote it comes from (null: direct)")
    by: int | None = Field(description="who placed it (null: the customer through the link)")


@event("order.status_changed")
class OrderStatusChanged(Payload):
    """An order moved through its lifecycle (confirmed, shipped, delivered, cancelled)."""

    order_id: int = Field(description="the order")
    customer_id: int = Field(description="its customer")
    from_status: str = Field(description="the status it left")
    to_status: str = Field(description="the status it entered")
    by: int | None = Field(description="who moved it")


@event("sales.setting_changed")
class SalesSettingChanged(Payload):
    """An administrator changed a sales setting (e.g. the quote approval threshold)."""

    key: str = Field(description="the setting, e.g. quote_approval_discount")
    value: str = Field(description="its new value")
    previous: str = Field(description="the value it replaced")
    by: int | None = Field(description="who changed it")


@event("sales.lead_config_changed")
class LeadConfigChanged(Payload):
    """A lead scoring rule, assignment rule or web form was created or changed."""

    kind: str = Field(description="scoring, assignment or webform")
    object_id: int = Field(description="the rule's or form's id")
    created: bool = Field(description="whether it is new")
    active: bool = Field(description="whether it is active after the change")
    by: int | None = Field(description="who changed it")
