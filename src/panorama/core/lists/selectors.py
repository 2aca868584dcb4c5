"""Reads of saved views: a user sees his own, the shared ones and those shared with a
team he is a member or a manager of, nobody else's."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from panorama.core.exceptions import NotFound
from panorama.core.models import ListPreference, SavedView


def saved_views_visible_to(user: Any) -> QuerySet[SavedView]:
    return SavedView.objects.filter(
        Q(owner=user)
        | Q(shared=True)
        | Q(team_id__in=user.teams.values("pk"))
        | Q(team_id__in=user.managed_teams.values("pk"))
    )


def saved_views_for(*, user: Any, list_name: str) -> list[SavedView]:
    """The tabs of a list for ``user``, in one query: shared ones first, then his own, by
    name; ``is_default`` marks the one the list opens with."""
    default = ListPreference.objects.filter(
        user=user, list_name=list_name, default_view=OuterRef("pk")
    )
    return list(
        saved_views_visible_to(user)
        .filter(list_name=list_name)
        .select_related("team")
        .annotate(is_default=Exists(default))
        .order_by("-shared", "name", "id")
    )


def saved_view_get(*, user: Any, view_id: int) -> SavedView:
    view = saved_views_visible_to(user).filter(pk=view_id).first()
    if view is None:
        raise NotFound(
            _("Saved view %(id)s does not exist or is not visible to you.") % {"id": view_id}
        )
    return view
