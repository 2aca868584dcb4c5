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
