"""The lead configuration screens (administrators, ``sales.configure``): scoring rules,
assignment rules and web forms, one tab each on the shared list (filters, saved views,
bulk activate/deactivate) — new, edit, deactivate — outside the Django admin, through
``services.lead_config`` (the API's path too)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import DomainError
from panorama.core.lists import list_response

from ..forms.lead_config import FORMS
from ..lists.lead_settings import LEAD_SETTING_LISTS
from ..services.lead_config import CONFIGURABLE, lead_config_get, lead_config_save

# Lazy: read in the language of each request, not of the process that imported this.
TITLES = {
    "scoring": (gettext_lazy("Scoring rule"), gettext_lazy("New scoring rule")),
    "assignment": (gettext_lazy("Assignment rule"), gettext_lazy("New assignment rule")),
    "webform": (gettext_lazy("Web form"), gettext_lazy("New web form")),
}


# The tabs of the lead settings: (kind, the list's page, its label).
TABS = [
    ("scoring", "sales:lead_settings", gettext_lazy("Scoring rules")),
    ("assignment", "sales:lead_settings_assignment", gettext_lazy("Assignment rules")),
    ("webform", "sales:lead_settings_webforms", gettext_lazy("Web forms")),
]


def _settings_page(request, kind: str):
    """One tab of the lead settings: its shared list, for ``sales.configure`` only."""
    ensure_can(request.user, "sales.configure")
    context = {
        "tabs": [(k, reverse(url), label) for k, url, label in TABS],
        "current": kind,
        "new_label": TITLES[kind][1],
        "kind": kind,
    }
    return list_response(
        request,
        LEAD_SETTING_LISTS[kind],
        template="sales/lead_settings/list.html",
        context=context,
    )


@require_GET
def lead_settings(request):
    """The scoring rules (the first tab; the page's old address)."""
    return _settings_page(request, "scoring")


@require_GET
def lead_settings_assignment(request):
    return _settings_page(request, "assignment")


@require_GET
def lead_settings_webforms(request):
    return _settings_page(request, "webform")


def _back(kind: str):
    """Back to the tab of the setting's kind."""
    return redirect(next(url for k, url, _label in TABS if k == kind))


def _kind(kind: str) -> str:
    if kind not in CONFIGURABLE:
        raise Http404
    return kind


@require_http_methods(["GET", "POST"])
def lead_config_edit(request, setting: str, obj_id: int | None = None):
    ensure_can(request.user, "sales.configure")
    kind = _kind(setting)
    form_class = FORMS[kind]
    obj = lead_config_get(kind=kind, obj_id=obj_id) if obj_id is not None else None
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                lead_config_save(by=request.user, kind=kind, obj_id=obj_id, values=form.values())
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Saved."))
                return _back(kind)
    else:
        form = form_class(initial=form_class.initial_of(obj)) if obj is not None else form_class()
    form.mark_errors()
    title = str(obj) if obj is not None else TITLES[kind][1]
    return render(
        request,
        "sales/lead_settings/form.html",
        {"form": form, "obj": obj, "title": title, "what": TITLES[kind][0]},
        status=422 if form.errors else 200,
    )


@require_POST
def lead_config_toggle(request, setting: str, obj_id: int):
    """Deactivate (or activate again) a rule or a form: kept, no longer applied."""
    kind = _kind(setting)
    obj = lead_config_get(kind=kind, obj_id=obj_id)
    lead_config_save(by=request.user, kind=kind, obj_id=obj_id, values={"active": not obj.active})
    messages.success(request, _("Deactivated.") if obj.active else _("Activated."))
    return _back(kind)
