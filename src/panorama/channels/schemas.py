import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from ninja import Field, Schema

from panorama.core.validation import text_field

from .models import Interaction


class RelatedIn(Schema):
    """The record a contact is about: ``type`` is "app_label.model", e.g. "customers.holding"."""

    type: str = Field(..., max_length=100)
    id: str = Field(..., max_length=64)


class InteractionIn(Schema):
    channel: str
    direction: str
    subject: str = text_field(Interaction, "subject")
    body: str = ""
    outcome: str = text_field(Interaction, "outcome", "")
    occurred_at: datetime.datetime | None = None
    duration_seconds: int | None = None
    metadata: dict[str, Any] = {}
    related: RelatedIn | None = None


class InteractionOut(Schema):
    id: int
    customer_id: int
    channel: str
    direction: str
    subject: str
    body: str
    outcome: str
    agent_id: int | None
    agent_name: str = ""
    occurred_at: datetime.datetime
    duration_seconds: int | None
    related_type: str = ""
    related_id: str = ""

    @staticmethod
    def resolve_related_type(obj) -> str:
        if not obj.related_type_id:
            return ""
        content_type = ContentType.objects.get_for_id(obj.related_type_id)  # cached
        return f"{content_type.app_label}.{content_type.model}"

    @staticmethod
    def resolve_related_id(obj) -> str:
        return "" if obj.related_id is None else str(obj.related_id)

    @staticmethod
    def resolve_agent_name(obj) -> str:
        return obj.agent.get_full_name() or obj.agent.username if obj.agent_id else ""


class FailedMessageOut(Schema):
    """A message that did not go out (a failed timeline entry)."""

    id: int = Field(..., description="the failed timeline entry (retry it by this id)")
    customer_id: int
    customer_name: str
    channel: str
    kind: str = Field("", description="email, sms, whatsapp, fax, campaign_email, case_message…")
    subject: str
    body: str
    error: str = Field("", description="the mail server's or the provider's answer")
    sent_by: str = Field("", description="the person, the rule or campaign, or the system")
    agent_id: int | None
    occurred_at: datetime.datetime
    retryable: bool = Field(False, description="its channel can send it again, not done yet")
    retried_at: str | None = None
    retried_as: int | None = Field(None, description="the entry of the message sent again")
    retry_error: str = ""

    @staticmethod
    def resolve_customer_name(obj) -> str:
        return obj.customer.display_name

    @staticmethod
    def resolve_kind(obj) -> str:
        return str((obj.metadata or {}).get("kind", ""))

    @staticmethod
    def resolve_error(obj) -> str:
        return str((obj.metadata or {}).get("error", ""))

    @staticmethod
    def resolve_sent_by(obj) -> str:
        from .failures import sender_label

        return str(sender_label(obj))

    @staticmethod
    def resolve_retryable(obj) -> bool:
        from .failures import retryable

        return retryable(obj)

    @staticmethod
    def resolve_retried_at(obj) -> str | None:
        return (obj.metadata or {}).get("retried_at")

    @staticmethod
    def resolve_retried_as(obj) -> int | None:
        return (obj.metadata or {}).get("retried_as")

    @staticmethod
    def resolve_retry_error(obj) -> str:
        return str((obj.metadata or {}).get("retry_error", ""))


class FailedMessagePageOut(Schema):
    items: list[FailedMessageOut]
    next_cursor: str | None


class FailedMessageQuery(Schema):
    channel: str = Field("", description="email, sms, chat or fax (empty: every channel)")
    since: datetime.datetime | None = Field(None, description="failed at or after")
    until: datetime.datetime | None = Field(None, description="failed before")
    state: str = Field("", description="waiting (not sent again), retried, or empty: both")
    cursor: str = ""
    limit: int = Field(50, ge=1, le=200)
