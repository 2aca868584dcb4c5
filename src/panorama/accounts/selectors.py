"""Reads of the staff screens and the users API: each checks the reader's right first
(a rep asking gets the 403 of the action, never a list)."""

from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from panorama.core.exceptions import NotFound, ValidationFailed

from .models import ApiToken, Team, User
from .permissions import can, ensure_can


def users_all(*, by: User | None) -> QuerySet[User]:
    """Every user, active or not, with his teams (one query more per page, not per row)."""
    ensure_can(by, "accounts.manage_users")
    return User.objects.prefetch_related(
        Prefetch("teams", queryset=Team.objects.order_by("name")),
        Prefetch("managed_teams", queryset=Team.objects.order_by("name")),
    )


def users_filter(
    qs: QuerySet[User], *, search: str = "", active: str = "", role: str = "", team: str = ""
) -> QuerySet[User]:
    """The users screen's and the API's filters: a name, username or e-mail prefix;
    ``active`` "on"/"off"; a role; a team id."""
    if search:
        qs = qs.filter(
            Q(username__istartswith=search)
            | Q(first_name__istartswith=search)
            | Q(last_name__istartswith=search)
            | Q(email__istartswith=search)
        )
    if active in ("on", "off"):
        qs = qs.filter(is_active=active == "on")
    if role:
        qs = qs.filter(role=role)
    if team.isdigit():
        qs = qs.filter(teams__pk=int(team))
    return qs


def user_get(*, by: User | None, user_id: int) -> User:
    user = users_all(by=by).filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("This user does not exist."))
    return user


def teams_all(*, by: User | None) -> QuerySet[Team]:
    """Every team with its parent, its number of members and its managers."""
    ensure_can(by, "accounts.manage_users")
    return (
        Team.objects.select_related("parent")
        .annotate(member_count=Count("members", distinct=True))
        .prefetch_related(Prefetch("managers", queryset=User.objects.order_by("username")))
    )


def team_get(*, by: User | None, team_id: int) -> Team:
    team = teams_all(by=by).filter(pk=team_id).first()
    if team is None:
        raise NotFound(_("This team does not exist."))
    return team


def teams_by_ids(ids: Iterable[int], *, field: str = "teams") -> list[Team]:
    """The teams ``ids`` name; an unknown id is the caller's mistake (422)."""
    wanted = set(ids)
    found = list(Team.objects.filter(pk__in=wanted))
    if len(found) != len(wanted):
        missing = sorted(wanted - {t.pk for t in found})
        raise ValidationFailed(
            _("No team with id %(ids)s.") % {"ids": ", ".join(map(str, missing))}, field=field
        )
    return found


def users_by_ids(ids: Iterable[int], *, field: str) -> list[User]:
    wanted = set(ids)
    found = list(User.objects.filter(pk__in=wanted))
    if len(found) != len(wanted):
        missing = sorted(wanted - {u.pk for u in found})
        raise ValidationFailed(
            _("No user with id %(ids)s.") % {"ids": ", ".join(map(str, missing))}, field=field
        )
    return found


def tokens_visible_to(user: User | None) -> QuerySet[ApiToken]:
    """Every token for an administrator, else the reader's own (never the hash's use)."""
    qs = ApiToken.objects.select_related("user")
    if user is None or can(user, "accounts.manage_tokens"):
        return qs
    return qs.filter(user=user)


def token_get(*, by: User, token_id: int) -> ApiToken:
    token = tokens_visible_to(by).filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("This token does not exist."))
    return token


def token_owner_get(*, by: User, user_id: int) -> User:
    """The user a token is issued to: the reader himself, or anyone for an administrator."""
    if user_id == by.pk:
        return by
    ensure_can(by, "accounts.manage_tokens")
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("This user does not exist."))
    return user
