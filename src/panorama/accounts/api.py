"""The users API: ``GET/POST /users``, ``GET/PATCH /users/{id}``. The same services as
the staff screens, so the same rules and messages: administrators only (403), a user
never deactivates himself and the last administrator stays one (422).

API tokens: ``GET/POST /tokens``, ``GET /tokens/{id}``, ``POST /tokens/{id}/revoke``.
Everyone lists, issues and revokes his own; an administrator every user's."""

from django.db import transaction
from django.http import HttpResponse
from ninja import Query, Router, Status

from panorama.core.pagination import Keyset

from . import selectors, services
from .lists import BY_USERNAME
from .schemas import (
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    TokenPageOut,
    TokenQuery,
    UserIn,
    UserOut,
    UserPageOut,
    UserPatch,
    UserQuery,
)

TOKENS_NEWEST = Keyset("-id", types=(int,))

router = Router(tags=["users"])
tokens = Router(tags=["API tokens"])


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


@tokens.get("/tokens", response=TokenPageOut)
def token_list(request, filters: Query[TokenQuery]):
    qs = selectors.tokens_visible_to(request.user)
    if filters.mine:
        qs = qs.filter(user=request.user)
    if filters.active is not None:
        qs = qs.filter(revoked_at__isnull=filters.active)
    page = TOKENS_NEWEST.page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@tokens.get("/tokens/{token_id}", response=TokenOut)
def token_detail(request, token_id: int):
    return selectors.token_get(by=request.user, token_id=token_id)


@tokens.post("/tokens", response={201: TokenCreatedOut})
def token_create(request, response: HttpResponse, payload: TokenIn):
    user = request.user
    if payload.user_id is not None:
        user = selectors.token_owner_get(by=request.user, user_id=payload.user_id)
    token, key = services.api_token_issue(by=request.user, user=user, name=payload.name)
    response["Cache-Control"] = "no-store"  # the secret is in this answer only
    created = TokenOut.from_orm(token).dict()
    return Status(201, {**created, "key": key})


@tokens.post("/tokens/{token_id}/revoke", response=TokenOut)
def token_revoke(request, token_id: int):
    token = selectors.token_get(by=request.user, token_id=token_id)
    return services.api_token_revoke(token=token, by=request.user)
