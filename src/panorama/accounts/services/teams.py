"""Staff administration of teams: create, rename, move under another team, members and
managers. A team is never deleted here (records and saved views point at it)."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.core.services import audit_record
from panorama.core.validation import model_clean

from ..models import Team, User
from ..permissions import ensure_can


def _check_team(team: Team) -> None:
    team.name = (team.name or "").strip()
    model_clean(team)  # required, length, and no loop through the parents
    if Team.objects.filter(name__iexact=team.name).exclude(pk=team.pk).exists():
        raise ValidationFailed(
            _("A team named “%(name)s” already exists.") % {"name": team.name}, field="name"
        )


@transaction.atomic
def team_create(
    *,
    by: User | None,
    name: str,
    parent: Team | None = None,
    members: Iterable[User] | None = None,
    managers: Iterable[User] | None = None,
) -> Team:
    """A new team, with its members and managers when given: all of it or nothing (a
    refused member list leaves no half-made team behind)."""
    ensure_can(by, "accounts.manage_users")
    team = Team(name=name, parent=parent)
    _check_team(team)
    team.save()
    audit_record(
        kind="team_created", user=by, target=team.name, target_id=team.pk, parent=str(parent or "")
    )
    emit(
        "team.created",
        team_id=team.pk,
        parent_id=parent.pk if parent else None,
        by=by.pk if by is not None else None,
    )
    if members is not None or managers is not None:
        team_update(by=by, team=team, members=members, managers=managers)
    return team


@transaction.atomic
def team_update(
    *,
    by: User | None,
    team: Team,
    name: str | None = None,
    parent: Team | None | Any = ...,
    members: Iterable[User] | None = None,
    managers: Iterable[User] | None = None,
) -> Team:
    """Rename ``team``, move it (``parent``; None: top level), set its members and its
    managers (None: left as they are)."""
    ensure_can(by, "accounts.manage_users")
    diff: dict[str, Any] = {}
    if name is not None and name.strip() != team.name:
        diff["name"] = [team.name, name.strip()]
        team.name = name
    if parent is not ... and parent != team.parent:
        diff["parent"] = [str(team.parent or ""), str(parent or "")]
        team.parent = parent
    _check_team(team)
    team.save()
    for label, relation, wanted in (
        ("members", team.members, members),
        ("managers", team.managers, managers),
    ):
        if wanted is None:
            continue
        wanted = list(wanted)
        old = sorted(u.get_username() for u in relation.all())
        new = sorted(u.get_username() for u in wanted)
        if old != new:
            relation.set(wanted)
            diff[label] = [old, new]
    if diff:
        audit_record(kind="team_changed", user=by, target=team.name, target_id=team.pk, **diff)
        emit(
            "team.updated",
            team_id=team.pk,
            fields=sorted(diff),
            by=by.pk if by is not None else None,
        )
    return team
