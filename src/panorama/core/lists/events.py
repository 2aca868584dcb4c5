"""The events of saved views (see core.events, docs/events.md)."""

from pydantic import Field

from panorama.core.events import Payload, event


@event("saved_view.created")
class SavedViewCreated(Payload):
    """A user saved the state of a list (filters, sort, columns) under a name."""

    view_id: int = Field(description="the saved view")
    list_name: str = Field(description="the list it belongs to (customers, ...)")
    shared: bool = Field(description="shown to everyone, not only its owner")
    team_id: int | None = Field(None, description="the team it is shared with, if any")
    by: int = Field(description="the user who saved it")


@event("saved_view.updated")
class SavedViewUpdated(Payload):
    """A saved view was renamed, shared or unshared, or given the list's current state."""

    view_id: int = Field(description="the saved view")
    list_name: str = Field(description="the list it belongs to")
    shared: bool = Field(description="shown to everyone after the change")
    team_id: int | None = Field(None, description="the team it is shared with after the change")
    by: int = Field(description="the user who changed it")


@event("saved_view.deleted")
class SavedViewDeleted(Payload):
    """A saved view was deleted."""

    view_id: int = Field(description="the view that was deleted")
    list_name: str = Field(description="the list it belonged to")
    by: int = Field(description="the user who deleted it")
