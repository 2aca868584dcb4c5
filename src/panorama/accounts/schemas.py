"""The users API's shapes (administrators only: the selectors and services check it)."""

from datetime import datetime

from ninja import Field, Schema

from panorama.core.validation import text_field

from .models import ApiToken, Role, User


class TeamRef(Schema):
    id: int
    name: str


class UserOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    language: str
    is_active: bool
    teams: list[TeamRef]
    managed_teams: list[TeamRef]
    last_login: datetime | None

    @staticmethod
    def resolve_teams(obj: User) -> list:
        return list(obj.teams.all())

    @staticmethod
    def resolve_managed_teams(obj: User) -> list:
        return list(obj.managed_teams.all())


class UserPageOut(Schema):
    items: list[UserOut]
    next_cursor: str | None


class UserQuery(Schema):
    search: str = Field("", description="a username, first name, last name or e-mail prefix")
    active: bool | None = Field(None, description="true: active users; false: deactivated")
    role: str = ""
    team_id: int | None = None
    cursor: str = ""
    limit: int = Field(50, ge=1, le=200)


class UserIn(Schema):
    username: str = text_field(User, "username")
    first_name: str = text_field(User, "first_name", "")
    last_name: str = text_field(User, "last_name", "")
    email: str = text_field(User, "email", "")
    role: Role = Role.SALES_REP
    language: str = Field("", description='"en", "es", or "" to follow the browser')
    team_ids: list[int] = []
    managed_team_ids: list[int] = []
    password: str | None = Field(
        None, description="the first password; none: the user cannot sign in until one is set"
    )


class UserPatch(Schema):
    first_name: str | None = text_field(User, "first_name", None)
    last_name: str | None = text_field(User, "last_name", None)
    email: str | None = text_field(User, "email", None)
    role: Role | None = None
    language: str | None = None
    team_ids: list[int] | None = None
    managed_team_ids: list[int] | None = None
    is_active: bool | None = Field(
        None, description="false deactivates (never yourself, never the last administrator)"
    )


class UserRef(Schema):
    id: int
    username: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="the token's first characters, to recognise it")
    user: UserRef
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    key: str = Field(description="the secret, shown only in this answer: store it now")


class TokenPageOut(Schema):
    items: list[TokenOut]
    next_cursor: str | None


class TokenQuery(Schema):
    mine: bool = Field(False, description="only the reader's own (an administrator sees all)")
    active: bool | None = Field(None, description="true: not revoked; false: revoked")
    cursor: str = ""
    limit: int = Field(50, ge=1, le=200)


class TokenIn(Schema):
    name: str = text_field(ApiToken, "name")
    user_id: int | None = Field(
        None, description="whose token (administrators only); none: your own"
    )
