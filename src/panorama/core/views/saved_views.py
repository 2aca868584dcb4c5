"""The saved views' buttons above a list: plain POST forms that go back to the list.
A bad value (a name taken or empty) comes back as a message above the list, with the
list as it was; a refused action (sharing without the right) is the 403 page."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from panorama.core.exceptions import ValidationFailed
from panorama.core.lists.definition import LISTS, ListDefinition
from panorama.core.lists.selectors import saved_view_get
from panorama.core.lists.services import (
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


def _back(definition: ListDefinition, query: str, view_id: int | str = ""):
    url = reverse(definition.url_name)
    params = "&".join(p for p in (query, f"view={view_id}" if view_id else "") if p)
    return redirect(url + ("?" + params if params else ""))


@require_POST
def view_create(request):
    definition = _definition(request)
    query = request.POST.get("query", "")
    try:
        view = saved_view_create(
            by=request.user,
            list_name=definition.name,
            name=request.POST.get("name", ""),
            query=query,
            shared=request.POST.get("shared") == "on",
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return _back(definition, query)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return _back(definition, view.query, view.pk)


@require_POST
def view_update(request, view_id: int):
    """Store the list's current state in the view (and rename it, if a name is sent)."""
    definition = _definition(request)
    view = saved_view_get(user=request.user, view_id=view_id)
    query = request.POST.get("query", "")
    try:
        view = saved_view_update(
            by=request.user, view=view, query=query, name=request.POST.get("name") or None
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
