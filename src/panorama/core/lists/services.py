"""Writes of saved views: create, change, delete, choose the default. Whoever calls
(the list's buttons, the API, the shell) gets the same rules and the same errors."""

from typing import Any

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from panorama.accounts.models import Team
from panorama.accounts.permissions import can, ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.core.models import ListPreference, SavedView
from panorama.core.validation import field_error, rules_for

from .definition import LISTS, ListDefinition


def _definition(list_name: str) -> ListDefinition:
    definition = LISTS.get(list_name)
    if definition is None:
        raise ValidationFailed(
            _("There is no list named %(name)s.") % {"name": list_name}, field="list"
        )
    return definition


def saved_view_query(definition: ListDefinition, query: str) -> str:
    """``query`` as the list reads it (what it does not know left out, defaults too), so
    a view stores what it shows, not whatever the caller sent; no view, no row count."""
    state = definition.state_from(QueryDict(query.lstrip("?")))
    return state.query(definition, view="", rows=0).lstrip("?")


def _check(view: SavedView) -> None:
    view.name = view.name.strip()
    rules_for(SavedView).check(view)


def _may_change(by: Any, view: SavedView) -> None:
    if view.shared or view.owner_id != by.pk:
        ensure_can(by, "core.share_view", obj=view)


KEEP: Any = object()  # saved_view_update: leave the team as it is


def _team(by: Any, view: SavedView, team_id: int | None) -> None:
    """Share ``view`` with one team (None: with none): one ``by`` is a member or a
    manager of, any team for who may share views; never with everyone too."""
    view.team_id = team_id
    if team_id is None:
        return
    if view.shared:
        raise ValidationFailed(
            _("A view shared with everyone cannot also be shared with one team."), field="team"
        )
    mine = by.teams.filter(pk=team_id).exists() or by.managed_teams.filter(pk=team_id).exists()
    if not mine and not can(by, "core.share_view"):
        raise ValidationFailed(
            _("You can share a view only with a team you belong to or manage."), field="team"
        )
    if not mine and not Team.objects.filter(pk=team_id).exists():
        raise ValidationFailed(_("There is no such team."), field="team")


def _save(view: SavedView) -> None:
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError:
        raise field_error(
            SavedView, "name", _("You already have a view with this name on this list.")
        ) from None


@transaction.atomic
def saved_view_create(
    *,
    by: Any,
    list_name: str,
    name: str,
    query: str,
    shared: bool = False,
    team_id: int | None = None,
) -> SavedView:
    definition = _definition(list_name)
    view = SavedView(
        owner=by,
        list_name=list_name,
        name=name,
        query=saved_view_query(definition, query),
        shared=shared,
    )
    _check(view)
    if shared:
        ensure_can(by, "core.share_view")
    _team(by, view, team_id)
    _save(view)
    emit(
        "saved_view.created",
        view_id=view.pk,
        list_name=list_name,
        shared=shared,
        team_id=view.team_id,
        by=by.pk,
    )
    return view


@transaction.atomic
def saved_view_update(
    *,
    by: Any,
    view: SavedView,
    name: str | None = None,
    query: str | None = None,
    shared: bool | None = None,
    team_id: Any = KEEP,
) -> SavedView:
    """Rename, store the list's current state in it, share or unshare (with everyone,
    or with one team: ``team_id``, None for none). A shared view, or another's, changes
    only for who may share views (administrators); its owner shares his with a team."""
    _may_change(by, view)
    view = SavedView.objects.select_for_update().get(pk=view.pk)
    if name is not None:
        view.name = name
    if query is not None:
        view.query = saved_view_query(_definition(view.list_name), query)
    if shared is not None and shared != view.shared:
        ensure_can(by, "core.share_view", obj=view)
        view.shared = shared
    if team_id is not KEEP:
        _team(by, view, team_id)
    elif view.shared:
        view.team_id = None  # shared with everyone: no longer with one team
    _check(view)
    _save(view)
    emit(
        "saved_view.updated",
        view_id=view.pk,
        list_name=view.list_name,
        shared=view.shared,
        team_id=view.team_id,
        by=by.pk,
    )
    return view


@transaction.atomic
def saved_view_delete(*, by: Any, view: SavedView) -> None:
    _may_change(by, view)
    pk, list_name = view.pk, view.list_name
    view.delete()
    emit("saved_view.deleted", view_id=pk, list_name=list_name, by=by.pk)


@transaction.atomic
def saved_view_set_default(*, by: Any, list_name: str, view: SavedView | None) -> None:
    """The view ``by`` opens ``list_name`` with (None: the whole list). Only his."""
    _definition(list_name)
    if view is not None and view.list_name != list_name:
        raise ValidationFailed(_("This view belongs to another list."), field="view")
    ListPreference.objects.update_or_create(
        user=by, list_name=list_name, defaults={"default_view": view}
    )
