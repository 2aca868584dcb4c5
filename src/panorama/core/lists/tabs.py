"""Saved views as tabs above a list: which one the URL (or the user's default) asks
for, the state it stands for, and whether the list has been changed since."""

from dataclasses import dataclass, field

from django.http import HttpRequest, QueryDict

from panorama.accounts.permissions import can
from panorama.core.models import SavedView

from .definition import ListDefinition, ListState
from .selectors import saved_views_for
from .services import saved_view_query

# Query parameters that are not the list's state: they never make a view "modified".
NOT_STATE = {"view", "rows", "cursor", "shown"}
ALL = "all"  # ?view=all: the whole list, even for a user with a default view


@dataclass
class Tab:
    view: SavedView
    url: str
    current: bool
    mine: bool


@dataclass
class Tabs:
    tabs: list[Tab] = field(default_factory=list)
    current: SavedView | None = None
    modified: bool = False
    all_url: str = ""
    can_share: bool = False
    can_change: bool = False  # the current view: its owner's, or shared and he may share
    query: str = ""  # the list's state to store in a view (no view, no rows)


def resolve(
    request: HttpRequest, definition: ListDefinition, data: QueryDict
) -> tuple[ListState, Tabs]:
    """The state to draw and the tabs, in one query for the views. ``?view=<id>`` alone
    draws what the view stores; with other parameters the URL wins and the tab shows
    the view as changed. A bare URL opens the user's default view, if he chose one."""
    user = request.user
    views = saved_views_for(user=user, list_name=definition.name)
    by_id = {str(v.pk): v for v in views}
    wanted = data.get("view", "")
    has_state = any(key not in NOT_STATE for key in data)
    if not data and not getattr(request, "htmx", None):
        default = next((v for v in views if getattr(v, "is_default", False)), None)
        if default is not None:
            wanted = str(default.pk)
    current = by_id.get(wanted)
    if current is not None and not has_state:
        stored = QueryDict(current.query, mutable=True)
        stored["view"] = wanted
        if "rows" in data:
            stored["rows"] = data.get("rows", "")
        state = definition.state_from(stored)
    else:
        state = definition.state_from(data)
        if current is None and wanted != ALL:
            state.view = ""
    query = state.query(definition, view="", rows=0).lstrip("?")
    tabs = []
    for view in views:
        view_state = definition.state_from(QueryDict(view.query))
        tabs.append(
            Tab(
                view=view,
                url=view_state.url(definition, view=str(view.pk)),
                current=view is current,
                mine=view.owner_id == user.pk,
            )
        )
    can_share = can(user, "core.share_view")  # type: ignore[arg-type]  # signed in
    has_default = any(getattr(v, "is_default", False) for v in views)
    return state, Tabs(
        tabs=tabs,
        current=current,
        modified=current is not None and query != saved_view_query(definition, current.query),
        all_url=ListState().url(definition, view=ALL if has_default else ""),
        can_share=can_share,
        can_change=current is not None
        and (can_share or (current.owner_id == user.pk and not current.shared)),
        query=query,
    )
