import datetime
from typing import Any

from ninja import Field, Schema


class InteractionIn(Schema):
    channel: str
    direction: str
    subject: str = Field(..., max_length=200)
    body: str = ""
    outcome: str = Field("", max_length=100)
    occurred_at: datetime.datetime | None = None
    duration_seconds: int | None = None
    metadata: dict[str, Any] = {}


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

    @staticmethod
    def resolve_agent_name(obj) -> str:
        return obj.agent.get_full_name() or obj.agent.username if obj.agent_id else ""
