"""The API's shapes of the core: saved views, the audit log."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from panorama.core.models import AuditEvent, SavedView
from panorama.core.validation import text_field


class SavedViewIn(Schema):
    list: str = Field(description="the list the view belongs to (customers, ...)")
    name: str = text_field(SavedView, "name")
    query: str = Field("", description="the list's query string: q, filters, sort, cols")
    shared: bool = Field(False, description="shown to everyone (administrators only)")
    team_id: int | None = Field(
        None, description="shown to this team's members and managers (a team you are in)"
    )


class SavedViewPatch(Schema):
    name: str | None = text_field(SavedView, "name", None)
    query: str | None = None
    shared: bool | None = None
    team_id: int | None = Field(None, description="a team to share it with; null: none")


class SavedViewOut(Schema):
    id: int
    list: str = Field(alias="list_name")
    name: str
    query: str
    shared: bool
    team_id: int | None = Field(description="the team it is shared with, if any")
    owner_id: int
    url: str = Field(description="the list showing this view")


class AuditEventOut(Schema):
    id: int
    at: datetime
    kind: str
    user_id: int | None
    username: str
    ip_address: str | None
    detail: dict[str, Any] = Field(description="what changed, the record it was about")

    @staticmethod
    def resolve_detail(obj: AuditEvent) -> dict:
        return obj.detail if isinstance(obj.detail, dict) else {"value": obj.detail}


class AuditPageOut(Schema):
    items: list[AuditEventOut]
    next_cursor: str | None


class AuditQuery(Schema):
    kind: AuditEvent.Kind | None = None
    username: str = Field("", description="a username prefix")
    since: datetime | None = Field(None, description="at or after this moment")
    until: datetime | None = Field(None, description="before this moment")
    cursor: str = Field("", description="next_cursor of the previous page (newest first)")
    limit: int = Field(50, ge=1, le=200)
