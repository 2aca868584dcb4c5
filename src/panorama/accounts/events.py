"""The events of staff administration: users and teams (see core.events, docs/events.md)."""

from pydantic import Field

from panorama.core.events import Payload, event


@event("user.created")
class UserCreated(Payload):
    """An administrator created a user (invited: without a password, he cannot sign in yet)."""

    user_id: int = Field(description="the new user")
    role: str = Field(description="his role (sales_rep, sales_manager, ..., admin)")
    team_ids: list[int] = Field(description="the teams he works in")
    by: int | None = Field(description="the administrator (null: the system)")


@event("user.updated")
class UserUpdated(Payload):
    """A user's name, e-mail, language, role, teams or managed teams changed."""

    user_id: int = Field(description="the user")
    fields: list[str] = Field(description="what changed")
    role: str = Field(description="his role after the change")
    by: int | None = Field(description="the administrator (null: the system)")


@event("user.deactivated")
class UserDeactivated(Payload):
    """A user can no longer sign in nor use his API tokens (nothing of his is deleted)."""

    user_id: int = Field(description="the user")
    by: int | None = Field(description="the administrator (null: the system)")


@event("user.reactivated")
class UserReactivated(Payload):
    """A deactivated user can sign in again."""

    user_id: int = Field(description="the user")
    by: int | None = Field(description="the administrator (null: the system)")


@event("team.created")
class TeamCreated(Payload):
    """A new team."""

    team_id: int = Field(description="the team")
    parent_id: int | None = Field(None, description="the team it sits under, if any")
    by: int | None = Field(description="the administrator (null: the system)")


@event("team.updated")
class TeamUpdated(Payload):
    """A team was renamed, moved under another team, or given other members or managers."""

    team_id: int = Field(description="the team")
    fields: list[str] = Field(description="what changed: name, parent, members, managers")
    by: int | None = Field(description="the administrator (null: the system)")
