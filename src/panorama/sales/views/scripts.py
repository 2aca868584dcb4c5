"""The sales scripts' staff screens: the list, a new one, editing one (sales managers
and administrators, ``sales.configure_pipelines``; the service checks it)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import DomainError
from panorama.core.lists import list_response

from .. import scripts
from ..forms.agenda import ScriptForm
from ..lists.scripts import SCRIPTS
from ..services.script import script_create, script_update


@require_GET
def script_list(request):
    return list_response(request, SCRIPTS, template="sales/scripts/list.html")


def _form_page(request, form: ScriptForm, script=None):
    form.mark_errors()
    return render(
        request,
        "sales/scripts/form.html",
        {"form": form, "script": script},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def script_new(request):
    ensure_can(request.user, "sales.configure_pipelines")
    form = ScriptForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            script_create(by=request.user, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Script saved."))
            return redirect("sales:script_list")
    return _form_page(request, form)


@require_http_methods(["GET", "POST"])
def script_edit(request, script_id: int):
    script = scripts.script_get(script_id=script_id)
    ensure_can(request.user, "sales.configure_pipelines")
    form = ScriptForm(request.POST or None, initial=ScriptForm.initial_of(script))
    if request.method == "POST" and form.is_valid():
        try:
            script_update(by=request.user, script_id=script.pk, changes=form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Script saved."))
            return redirect("sales:script_list")
    return _form_page(request, form, script)
