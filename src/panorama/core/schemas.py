"""The API's shapes of the core: saved views."""

from ninja import Field, Schema

from panorama.core.models import SavedView
from panorama.core.validation import text_field


class SavedViewIn(Schema):
    list: str = Field(description="the list the view belongs to (customers, ...)")
    name: str = text_field(SavedView, "name")
    query: str = Field("", description="the list's query string: q, filters, sort, cols")
    shared: bool = Field(False, description="shown to everyone (administrators only)")


class SavedViewPatch(Schema):
    name: str | None = text_field(SavedView, "name", None)
    query: str | None = None
    shared: bool | None = None


class SavedViewOut(Schema):
    id: int
    list: str = Field(alias="list_name")
    name: str
    query: str
    shared: bool
    owner_id: int
    url: str = Field(description="the list showing this view")
