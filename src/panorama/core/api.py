"""Saved views of lists over the API: the same services as the list's buttons; the
audit log, read only, newest first (administrators and auditors)."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Status

from panorama.core.lists import selectors, services
from panorama.core.lists.definition import LISTS
from panorama.core.models import SavedView
from panorama.core.pagination import Keyset

from .schemas import AuditPageOut, AuditQuery, SavedViewIn, SavedViewOut, SavedViewPatch
from .selectors import audit_events, audit_events_filter

router = Router(tags=["saved views"])
AUDIT_NEWEST = Keyset("-id", types=(int,))  # the log only grows: its ids are its order


def _out(view: SavedView) -> dict:
    definition = LISTS.get(view.list_name)
    base = reverse(definition.url_name) if definition else ""
    query = "&".join(p for p in (view.query, f"view={view.pk}") if p)
    return {
        "id": view.pk,
        "list_name": view.list_name,
        "name": view.name,
        "query": view.query,
        "shared": view.shared,
        "team_id": view.team_id,
        "owner_id": view.owner_id,
        "url": f"{base}?{query}",
    }


@router.get("/views", response=list[SavedViewOut])
def view_list(request, list_name: str = Query(..., alias="list")):
    """The views of a list the user sees: his own, the shared ones and those shared with
    a team he is a member or a manager of."""
    return [_out(v) for v in selectors.saved_views_for(user=request.user, list_name=list_name)]


@router.post("/views", response={201: SavedViewOut})
def view_create(request, payload: SavedViewIn):
    view = services.saved_view_create(
        by=request.user,
        list_name=payload.list,
        name=payload.name,
        query=payload.query,
        shared=payload.shared,
        team_id=payload.team_id,
    )
    return Status(201, _out(view))


@router.patch("/views/{view_id}", response=SavedViewOut)
def view_update(request, view_id: int, payload: SavedViewPatch):
    view = selectors.saved_view_get(user=request.user, view_id=view_id)
    changes = payload.dict()
    if "team_id" not in payload.model_fields_set:  # absent: left as it is; null: no team
        changes["team_id"] = services.KEEP
    view = services.saved_view_update(by=request.user, view=view, **changes)
    return _out(view)


@router.delete("/views/{view_id}", response={204: None})
def view_delete(request, view_id: int):
    view = selectors.saved_view_get(user=request.user, view_id=view_id)
    services.saved_view_delete(by=request.user, view=view)
    return Status(204, None)


@router.post("/views/{view_id}/default", response={204: None})
def view_default(request, view_id: int):
    """Open the view's list with it from now on."""
    view = selectors.saved_view_get(user=request.user, view_id=view_id)
    services.saved_view_set_default(by=request.user, list_name=view.list_name, view=view)
    return Status(204, None)


def _aware(moment: datetime | None) -> datetime | None:
    """A moment without an offset is the site's local time."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment)


@router.get("/audit", response=AuditPageOut, tags=["audit log"])
def audit_list(request, filters: Query[AuditQuery]):
    qs = audit_events_filter(
        audit_events(by=request.user),
        kind=filters.kind or "",
        username=filters.username,
        since=_aware(filters.since),
        until=_aware(filters.until),
    )
    page = AUDIT_NEWEST.page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}
