"""The saved views' buttons above a list: plain POST forms that go back to the list.
A bad value (a name taken or empty) comes back as a message above the list, with the
list as it was; a refused action (sharing without the right) is the 403 page."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panorama.accounts.models import Team
from panorama.accounts.permissions import can
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.core.lists.definition import LISTS, ListDefinition
from panorama.core.lists.selectors import saved_view_get
from panorama.core.lists.services import (
    KEEP,
    saved_view_create,
    saved_view_delete,
    saved_view_set_default,
    saved_view_update,
)


def _definition(request) -> ListDefinition:
    definition = LISTS.get(request.POST.get("list", ""))
    if definition is None:
        raise ValidationFailed(_("There is no such list."), field="list")
    return definition


def _team_id(request):
    """The ``team`` the form sent: KEEP when absent, None when empty, else its id."""
    if "team" not in request.POST:
        return KEEP
    raw = request.POST.get("team", "")
    if raw and not raw.isdigit():
        raise ValidationFailed(_("There is no such team."), field="team")
    return int(raw) if raw else None


def _teams(user):
    """The teams ``user`` may share a view with: his and those he manages (any team for
    who may share views)."""
    if can(user, "core.share_view"):
        return Team.objects.order_by("name")
    return Team.objects.filter(Q(members=user) | Q(managers=user)).distinct().order_by("name")


def _back(definition: ListDefinition, query: str, view_id: int | str = ""):
    url = reverse(definition.url_name)
    params = "&".join(p for p in (query, f"view={view_id}" if view_id else "") if p)
    return redirect(url + ("?" + params if params else ""))


@require_POST
def view_create(request):
    definition = _definition(request)
    query = request.POST.get("query", "")
    try:
        team_id = _team_id(request)
        view = saved_view_create(
            by=request.user,
            list_name=definition.name,
            name=request.POST.get("name", ""),
            query=query,
            shared=request.POST.get("shared") == "on",
            team_id=None if team_id is KEEP else team_id,
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return _back(definition, query)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return _back(definition, view.query, view.pk)


@require_POST
def view_update(request, view_id: int):
    """Store the list's current state in the view (and rename it, if a name is sent;
    share it with a team, or with none, if ``team`` is sent)."""
    definition = _definition(request)
    view = saved_view_get(user=request.user, view_id=view_id)
    query = request.POST.get("query", view.query)
    try:
        view = saved_view_update(
            by=request.user,
            view=view,
            query=query,
            name=request.POST.get("name") or None,
            team_id=_team_id(request),
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return _back(definition, query, view.pk)
    messages.success(request, _("View “%(name)s” updated.") % {"name": view.name})
    return _back(definition, view.query, view.pk)


@require_POST
def view_delete(request, view_id: int):
    definition = _definition(request)
    view = saved_view_get(user=request.user, view_id=view_id)
    saved_view_delete(by=request.user, view=view)  # a refusal: the 403 page says why
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect(reverse(definition.url_name) + "?view=all")


@require_POST
def view_default(request, view_id: int):
    """Open the list with this view from now on; view 0: with the whole list."""
    definition = _definition(request)
    view = saved_view_get(user=request.user, view_id=view_id) if view_id else None
    saved_view_set_default(by=request.user, list_name=definition.name, view=view)
    if view is None:
        messages.success(request, _("The list now opens with every row."))
        return redirect(reverse(definition.url_name) + "?view=all")
    messages.success(request, _("The list now opens with “%(name)s”.") % {"name": view.name})
    return _back(definition, view.query, view.pk)


@require_GET
def view_share(request, view_id: int):
    """The page that shares a view with one of the owner's teams (or with none): a
    plain form posting to ``view_update``. Only who may change the view gets it."""
    view = saved_view_get(user=request.user, view_id=view_id)
    definition = LISTS.get(view.list_name)
    if definition is None:
        raise ValidationFailed(_("There is no such list."), field="list")
    may = can(request.user, "core.share_view") or (
        view.owner_id == request.user.pk and not view.shared
    )
    if not may:
        raise PermissionDenied(_("Only its owner may share this view with a team."))
    teams = list(_teams(request.user))
    return render(
        request,
        "core/list/view_share.html",
        {
            "view": view,
            "teams": teams,
            "list_name": definition.name,
            "list_url": reverse(definition.url_name) + f"?view={view.pk}",
        },
    )
