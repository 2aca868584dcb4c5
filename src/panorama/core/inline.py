"""Properties edited in place on a record's page (a customer's ficha): the same component
as a list's editable cell (``core.lists.actions.Edit``; ``inline-edit.js``, the editor
``core/list/_cell_form.html``). A page declares its properties; one view per page asks
``property_response`` to draw a value, its editor, or to save it through the app's own
service (the one its form and its API call), whose refusal comes back in place (422)
with the value the record keeps.

    Property(
        "status", _("Status"),
        field=lambda user: CustomerEditForm().fields["status"],
        initial=lambda customer: customer.status,
        display=lambda customer: customer.get_status_display(),
        save=lambda user, customer, value: customer_update(
            customer=customer, by=user, changes={"status": value}),
        permission="customers.edit")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from panorama.accounts.permissions import can
from panorama.core.exceptions import DomainError, PermissionDenied
from panorama.core.lists.actions import clean

Label = Any  # a (lazy) translated string


@dataclass(frozen=True)
class Property:
    """One editable fact of a record: its form field, the editor's value, what the page
    shows, and the service call that saves it (it raises a ``DomainError`` to refuse)."""

    key: str
    label: Label
    field: Callable[[Any], forms.Field]  # (user)
    initial: Callable[[Any], Any]  # (record)
    display: Callable[[Any], Any]  # (record)
    save: Callable[[Any, Any, Any], Any]  # (user, record, value)
    permission: str = ""

    def allowed(self, user: Any) -> bool:
        return not self.permission or can(user, self.permission)


@dataclass(frozen=True)
class Shown:
    """A property as the page draws it: ``url`` only when the user may edit it."""

    key: str
    label: Label
    value: Any
    url: str = ""


def shown(prop: Property, record: Any, user: Any, url: str) -> Shown:
    return Shown(prop.key, prop.label, prop.display(record), url if prop.allowed(user) else "")


def editor(form_field: forms.Field, value: Any, label: Label, error: str = "") -> dict:
    """The editor's widget (the form's own field, named ``value``) and its message."""
    attrs = {
        "class": "form-select form-select-sm"
        if hasattr(form_field, "choices")
        else "form-control form-control-sm",
        "aria-label": str(label),
        "autofocus": True,
    }
    if error:
        attrs["aria-invalid"] = "true"
    return {"widget": form_field.widget.render("value", value, attrs=attrs), "error": error}


def property_response(
    request: HttpRequest,
    *,
    prop: Property,
    record: Any,
    url: str,
    reread: Callable[[], Any],
    saved_extra: Callable[[Any], str] | None = None,
) -> HttpResponse:
    """GET: the value (``?edit=1``: its editor). POST: save ``value`` through the
    property's service; the value as saved (plus ``saved_extra(record)``, out-of-band
    parts of the page the change touches), or the editor with what was typed, the
    service's message and the value kept (422). ``reread`` reads the record again."""
    editing = request.method == "POST" or request.GET.get("edit")
    if editing and not prop.allowed(request.user):
        raise PermissionDenied(_("You may not change this."))
    form_field = prop.field(request.user)
    context: dict[str, Any] = {"url": url, "blur_save": True}
    if request.method == "POST":
        raw = request.POST.get("value")
        try:
            prop.save(request.user, record, clean(form_field, raw, prop.key))
        except DomainError as exc:
            context |= editor(form_field, raw, prop.label, error=exc.message)
            context["saved"] = prop.display(reread())
            return render(request, "core/list/_cell_form.html", context, status=422)
        record = reread()
        response = render(
            request, "core/inline/_property.html", {"prop": shown(prop, record, request.user, url)}
        )
        if saved_extra is not None:
            response.content += saved_extra(record).encode()
        return response
    if editing:
        context |= editor(form_field, prop.initial(record), prop.label)
        return render(request, "core/list/_cell_form.html", context)
    return render(
        request, "core/inline/_property.html", {"prop": shown(prop, record, request.user, url)}
    )
