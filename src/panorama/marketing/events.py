"""The events the marketing app emits (see core.events, docs/events.md)."""

from pydantic import Field

from panorama.core.events import Payload, event


@event("segment.saved")
class SegmentSaved(Payload):
    """A segment was created or its rules changed."""

    segment_id: int = Field(description="the segment")
    created: bool = Field(description="true when it is new")
    by: int | None = Field(description="who saved it")


@event("segment.alert_saved")
class SegmentAlertSaved(Payload):
    """A segment's alert (shown on the ficha of its customers) was created or changed."""

    alert_id: int = Field(description="the segment alert")
    segment_id: int = Field(description="its segment")
    active: bool = Field(description="shown (within its dates) after the change")
    created: bool = Field(description="true when it is new")
    by: int | None = Field(description="who saved it")


@event("list.changed")
class ListChanged(Payload):
    """Customers joined or left a static list (a snapshot or a hand selection)."""

    list_id: int = Field(description="the static list")
    joined: int = Field(description="how many customers joined")
    left: int = Field(description="how many customers left")
    by: int | None = Field(description="who changed it")


@event("list.renamed")
class ListRenamed(Payload):
    """A static list was given a new name (its members stay as they were)."""

    list_id: int = Field(description="the static list")
    name: str = Field(description="its new name")
    by: int | None = Field(description="who renamed it")


@event("list.deleted")
class ListDeleted(Payload):
    """A static list nothing used was deleted, with its memberships (its customers stay)."""

    list_id: int = Field(description="the static list (no longer there)")
    name: str = Field(description="the name it had")
    by: int | None = Field(description="who deleted it")


@event("message_template.deleted")
class MessageTemplateDeleted(Payload):
    """A message template that nothing sent any more was deleted."""

    template_id: int = Field(description="the message template (gone)")
    by: int | None = Field(description="who deleted it")


@event("campaign.launched")
class CampaignLaunched(Payload):
    """A campaign's audience was drawn (target and control groups) and its sending queued."""

    campaign_id: int = Field(description="the campaign")
    target: int = Field(description="customers in the target group")
    control: int = Field(description="customers held back in the control group")
    by: int | None = Field(description="who launched it")


@event("campaign.cancelled")
class CampaignCancelled(Payload):
    """A campaign was cancelled before it was over: whoever was still waiting for its
    message or call is skipped."""

    campaign_id: int = Field(description="the campaign")
    skipped: int = Field(description="customers still waiting, now skipped")
    by: int | None = Field(description="who cancelled it")


@event("campaign.sent")
class CampaignSent(Payload):
    """A campaign's message was handed to the mail server for one customer."""

    campaign_id: int = Field(description="the campaign")
    customer_id: int = Field(description="the recipient")
    recipient_id: int = Field(description="the ledger row")


@event("campaign.bounced")
class CampaignBounced(Payload):
    """A delivery report came back for a campaign's e-mail: a hard bounce (the address
    is suppressed) or a soft one (counted; suppressed after a few)."""

    campaign_id: int = Field(description="the campaign")
    customer_id: int = Field(description="the recipient")
    recipient_id: int = Field(description="the ledger row")
    hard: bool = Field(description="true for a permanent failure (5.x.x)")
    suppressed: bool = Field(description="true when the address is now suppressed")
    reason: str = Field(description="the report's status and diagnostic")


@event("campaign.complained")
class CampaignComplained(Payload):
    """A mailbox provider's feedback loop reported the campaign's e-mail as spam: the
    address is suppressed and the marketing e-mail consent withdrawn."""

    campaign_id: int = Field(description="the campaign")
    customer_id: int = Field(description="the recipient")
    recipient_id: int = Field(description="the ledger row")
    consent_id: int = Field(description="the withdrawal recorded")
    feedback_type: str = Field(description="the report's Feedback-Type (abuse, fraud...)")


@event("campaign.called")
class CampaignCalled(Payload):
    """A call centre agent recorded a call of a call-list campaign."""

    campaign_id: int = Field(description="the campaign")
    customer_id: int = Field(description="the customer called")
    recipient_id: int = Field(description="the ledger row")
    outcome: str = Field(description="reached, no_answer, call_back, not_interested or interested")
    by: int = Field(description="the agent")


@event("campaign.ab_decided")
class CampaignAbDecided(Payload):
    """An A/B test ended: its winner is sent to the rest of the target group."""

    campaign_id: int = Field(description="the campaign")
    variant_id: int = Field(description="the winning variant")
    label: str = Field(description="its label")
    metric: str = Field(description="opens or clicks")


@event("campaign.opened")
class CampaignOpened(Payload):
    """A recipient opened the message (first time only; later opens are counted)."""

    campaign_id: int = Field(description="the campaign")
    customer_id: int = Field(description="the recipient")
    recipient_id: int = Field(description="the ledger row")


@event("campaign.clicked")
class CampaignClicked(Payload):
    """A recipient followed a link of the message (first click only)."""

    campaign_id: int = Field(description="the campaign")
    customer_id: int = Field(description="the recipient")
    recipient_id: int = Field(description="the ledger row")
    url: str = Field(description="the link followed")


@event("campaign.unsubscribed")
class CampaignUnsubscribed(Payload):
    """A recipient unsubscribed from the message's link: his marketing e-mail consent
    was withdrawn."""

    campaign_id: int = Field(description="the campaign")
    customer_id: int = Field(description="the recipient")
    recipient_id: int = Field(description="the ledger row")
    consent_id: int = Field(description="the withdrawal recorded")


@event("campaign.responded")
class CampaignResponded(Payload):
    """A recipient answered the campaign; a sales lead or opportunity was opened for him."""

    campaign_id: int = Field(description="the campaign")
    customer_id: int = Field(description="the recipient")
    recipient_id: int = Field(description="the ledger row")
    lead_id: int | None = Field(description="the lead opened in sales, if a lead")
    opportunity_id: int | None = Field(
        None, description="the opportunity opened in sales, if an opportunity"
    )
    by: int | None = Field(description="who recorded the response")


@event("campaign.converted")
class CampaignConverted(Payload):
    """A campaign's customer (target or control) bought: the conversion and its revenue."""

    campaign_id: int = Field(description="the campaign")
    customer_id: int = Field(description="the customer")
    recipient_id: int = Field(description="the ledger row")
    revenue: str = Field(description="the revenue, in the company currency")
    by: int | None = Field(description="who recorded it")


@event("signup.requested")
class SignupRequested(Payload):
    """A visitor asked to join a list through its public form: the confirmation e-mail
    was sent (double opt-in); nothing is consented yet."""

    optin_id: int = Field(description="the pending sign-up")
    form_id: int = Field(description="the sign-up form")
    list_id: int = Field(description="the list it joins")


@event("signup.confirmed")
class SignupConfirmed(Payload):
    """A sign-up was confirmed from its e-mail: the consent was recorded with its proof
    and the customer joined the list."""

    optin_id: int = Field(description="the sign-up, with its proof")
    form_id: int = Field(description="the sign-up form")
    list_id: int = Field(description="the list joined")
    customer_id: int = Field(description="the customer (found by the address or created)")
    consent_id: int = Field(description="the consent recorded")


@event("journey.deleted")
class JourneyDeleted(Payload):
    """A journey nobody went through was deleted, with its steps."""

    journey_id: int = Field(description="the journey (no longer there)")
    name: str = Field(description="the name it had")
    by: int | None = Field(description="who deleted it")


@event("journey.status_changed")
class JourneyStatusChanged(Payload):
    """A journey was activated, paused or resumed."""

    journey_id: int = Field(description="the journey")
    status: str = Field(description="active or paused")
    by: int | None = Field(description="who changed it")


@event("journey.enrolled")
class JourneyEnrolled(Payload):
    """A customer entered a journey."""

    journey_id: int = Field(description="the journey")
    customer_id: int = Field(description="the customer")
    enrolment_id: int = Field(description="his way through it")


@event("journey.sent")
class JourneySent(Payload):
    """A journey's e-mail was handed to the mail server for one customer."""

    journey_id: int = Field(description="the journey")
    customer_id: int = Field(description="the customer")
    enrolment_id: int = Field(description="his way through it")
    step_id: int = Field(description="the step that sent it")


@event("journey.opened")
class JourneyOpened(Payload):
    """A customer opened a journey's e-mail (its first open only, or the first click
    when the pixel was never loaded; later opens change nothing)."""

    journey_id: int = Field(description="the journey")
    customer_id: int = Field(description="the customer")
    enrolment_id: int = Field(description="his way through it")
    message_id: int = Field(description="the e-mail (JourneyMessage)")
    step_id: int | None = Field(description="the step that sent it (empty if deleted)")


@event("journey.clicked")
class JourneyClicked(Payload):
    """A customer followed a link of a journey's e-mail (the first click only)."""

    journey_id: int = Field(description="the journey")
    customer_id: int = Field(description="the customer")
    enrolment_id: int = Field(description="his way through it")
    message_id: int = Field(description="the e-mail (JourneyMessage)")
    step_id: int | None = Field(description="the step that sent it (empty if deleted)")
    url: str = Field(description="the link followed (its first 500 characters)")


@event("journey.left")
class JourneyLeft(Payload):
    """A customer finished a journey (done) or left it early (exited, with the reason)."""

    journey_id: int = Field(description="the journey")
    customer_id: int = Field(description="the customer")
    enrolment_id: int = Field(description="his way through it")
    status: str = Field(description="done or exited")
    reason: str = Field(description="why he left early (empty when done)")
