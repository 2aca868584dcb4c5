"""The users API: ``GET/POST /users``, ``GET/PATCH /users/{id}``. The same services as
the staff screens, so the same rules and messages: administrators only (403), a user
never deactivates himself and the last administrator stays one (422)."""

from django.db import transaction
from ninja import Query, Router, Status

from . import selectors, services
from .lists import BY_USERNAME
from .schemas import UserIn, UserOut, UserPageOut, UserPatch, UserQuery

router = Router(tags=["users"])


@router.get("/users", response=UserPageOut)
def user_list(request, filters: Query[UserQuery]):
    active = "" if filters.active is None else ("on" if filters.active else "off")
    qs = selectors.users_filter(
        selectors.users_all(by=request.user),
        search=filters.search,
        active=active,
        role=filters.role,
        team=str(filters.team_id or ""),
    )
    page = BY_USERNAME.page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/users/{user_id}", response=UserOut)
def user_detail(request, user_id: int):
    return selectors.user_get(by=request.user, user_id=user_id)


@router.post("/users", response={201: UserOut})
def user_create(request, payload: UserIn):
    data = payload.dict()
    teams = selectors.teams_by_ids(data.pop("team_ids"), field="team_ids")
    managed = selectors.teams_by_ids(data.pop("managed_team_ids"), field="managed_team_ids")
    user = services.user_create(by=request.user, teams=teams, managed_teams=managed, **data)
    return Status(201, selectors.user_get(by=request.user, user_id=user.pk))


@router.patch("/users/{user_id}", response=UserOut)
def user_update(request, user_id: int, payload: UserPatch):
    user = selectors.user_get(by=request.user, user_id=user_id)
    data = payload.dict(exclude_unset=True)
    active = data.pop("is_active", None)
    for name, field in (("team_ids", "teams"), ("managed_team_ids", "managed_teams")):
        if name in data:
            data[field] = selectors.teams_by_ids(data.pop(name) or [], field=name)
    with transaction.atomic():  # a refused deactivation keeps the other changes out too
        if data:
            services.user_update(by=request.user, user=user, changes=data)
        if active is False:
            services.user_deactivate(by=request.user, user=user)
        elif active is True:
            services.user_reactivate(by=request.user, user=user)
    return selectors.user_get(by=request.user, user_id=user.pk)
