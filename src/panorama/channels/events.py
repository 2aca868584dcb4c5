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


@event("mail.received")
class MailReceived(Payload):
    """An inbound e-mail was written to a mailbox's sync ledger, whatever became of it."""

    entry_id: int = Field(description="the ledger entry")
    mailbox_id: int | None = Field(description="the mailbox (null: piped by the MTA)")
    status: str = Field(description="imported, unknown (sender), skipped or failed")
    reason: str = Field(description="why skipped or unknown: duplicate, auto_submitted...")
    customer_id: int | None = Field(description="the customer it was given to, if any")


@event("mail.sender_linked")
class MailSenderLinked(Payload):
    """The waiting messages of an unknown sender were given to a customer."""

    customer_id: int = Field(description="the customer")
    address: str = Field(description="the sender's address")
    messages: int = Field(description="how many messages were imported")
    by: int | None = Field(description="who linked them")


@event("mailbox.configured")
class MailboxConfigured(Payload):
    """An administrator created or changed an inbound mailbox."""

    mailbox_id: int = Field(description="the mailbox")
    created: bool = Field(description="true when it is new")
    by: int | None = Field(description="the administrator")
