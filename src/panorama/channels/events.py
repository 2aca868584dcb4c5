"""The events the channels app emits (see core.events, docs/events.md)."""

from pydantic import Field

from panorama.core.events import Payload, event


@event("interaction.recorded")
class InteractionRecorded(Payload):
    """A contact with a customer (call, e-mail, note, visit...) was put on the timeline."""

    customer_id: int = Field(description="the customer concerned")
    interaction_id: int = Field(description="the new timeline entry")
    channel: str = Field(description="phone, email, note, in_person, sms, chat, web...")
    direction: str = Field(description="inbound, outbound or internal")
    by: int | None = Field(description="the agent who recorded it (null: the system)")
