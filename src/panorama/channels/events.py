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


@event("mail.sent")
class MailSent(Payload):
    """An e-mail to a customer was handed to the mail server (or refused by it)."""

    sent_id: int = Field(description="the sent message")
    customer_id: int = Field(description="the customer")
    status: str = Field(description="sent or failed")
    by: int | None = Field(description="who sent it (null: the system)")


@event("mail.bounced")
class MailBounced(Payload):
    """A delivery report came back for a message we sent: it did not reach the customer."""

    sent_id: int = Field(description="the sent message")
    customer_id: int = Field(description="the customer")
    reason: str = Field(description="the report's status and diagnostic")


@event("message.received")
class MessageReceived(Payload):
    """An SMS or chat message came in through a provider's webhook."""

    message_id: int = Field(description="the text message")
    customer_id: int | None = Field(description="who sent it (null: an unknown number)")
    kind: str = Field(description="sms or whatsapp")


@event("message.sent")
class MessageSent(Payload):
    """An SMS or chat message was handed to the provider."""

    message_id: int = Field(description="the text message")
    customer_id: int = Field(description="the customer")
    status: str = Field(description="queued or failed")
    by: int | None = Field(description="who sent it")


@event("message.retried")
class MessageRetried(Payload):
    """A failed message (any channel) was sent again from the failed messages page or
    the API, through its channel's service."""

    failed_interaction_id: int = Field(description="the failed timeline entry")
    interaction_id: int = Field(description="the new entry of the message sent again")
    customer_id: int = Field(description="the customer")
    by: int | None = Field(description="who sent it again")


@event("message.status_changed")
class MessageStatusChanged(Payload):
    """The provider reported what became of a message we sent."""

    message_id: int = Field(description="the text message")
    customer_id: int | None = Field(description="the customer it was sent to")
    status: str = Field(description="sent, delivered or failed")


@event("fax.received")
class FaxReceived(Payload):
    """A fax came in (gateway mailbox, upload or API)."""

    fax_id: int = Field(description="the fax")
    customer_id: int | None = Field(description="the sender (null: an unknown number)")


@event("fax.sent")
class FaxSent(Payload):
    """A fax was handed to the e-mail-to-fax gateway (or refused)."""

    fax_id: int = Field(description="the fax")
    customer_id: int = Field(description="the customer")
    status: str = Field(description="sent or failed")


@event("chat.started")
class ChatStarted(Payload):
    """A visitor started a chat from the widget (or left a message while no agent was
    on line)."""

    conversation_id: int = Field(description="the conversation")
    site_id: int = Field(description="the tracked site it came from")
    customer_id: int | None = Field(description="the customer identified, if any")
    offline: bool = Field(description="true: no agent was on line, a message was left")


@event("chat.closed")
class ChatClosed(Payload):
    """A chat ended; with a customer it is on his timeline."""

    conversation_id: int = Field(description="the conversation")
    customer_id: int | None = Field(description="the customer, if identified")
    interaction_id: int | None = Field(description="the timeline entry, if any")
    by: int | None = Field(description="the agent who closed it (null: the visitor)")
