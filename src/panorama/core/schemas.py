"""The API's shapes of the core: saved views."""

from ninja import Field, Schema

from panorama.core.models import SavedView
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
