"""The cases pages: the agent's queue (the shared list), a case's page with its thread,
reply and note forms, status buttons and assignment, and the new-case form."""

from typing import Any

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts import permissions
from panorama.core.exceptions import DomainError
from panorama.core.lists import list_response
from panorama.customers.selectors import customer_get

from .. import selectors
from ..forms import CaseAssignForm, CaseEditForm, CaseForm, CaseMessageForm
from ..lists import CASES
from ..models import Case, CaseMessage, CaseSurvey
from ..selectors import field
from ..services import attachment as services_attachment
from ..services import case as services
from ..services import sla, sla_clocks
from ..services.case import TRANSITIONS
from ..services.case_edit import case_update

# The label of the button that moves a case to each status.
STATUS_ACTIONS: dict[str, Any] = {
    Case.Status.OPEN: gettext_lazy("Mark open"),
    Case.Status.WAITING: gettext_lazy("Wait on customer"),
    Case.Status.RESOLVED: gettext_lazy("Resolve"),
    Case.Status.CLOSED: gettext_lazy("Close"),
    Case.Status.REOPENED: gettext_lazy("Reopen"),
}


@require_GET
def case_list(request):
    return list_response(request, CASES, template="service/cases/list.html")


def _detail_context(request, case: Case, **forms) -> dict:
    return {
        "case": case,
        "thread": selectors.case_messages(case=case),
        "can_edit": permissions.can(request.user, "service.edit"),
        "status_actions": [
            (status, str(STATUS_ACTIONS[status]))
            for status in Case.Status.values
            if status in TRANSITIONS[case.status]
        ],
        "message_form": forms.get("message_form") or CaseMessageForm(),
        "assign_form": forms.get("assign_form") or CaseAssignForm(initial={"owner": case.owner_id}),
        "edit_form": forms.get("edit_form") or CaseEditForm(case=case),
        "files": selectors.case_files(case=case),
        "max_attachment": services_attachment.max_bytes(),
        "sla": sla_clocks.sla_clocks(case),
        "sla_contract": sla.sla_contract(case),
        "paused_text": sla_clocks.duration_text(case.sla_paused_minutes),
        "survey": CaseSurvey.objects.filter(case=case).first(),
        "defects": list(case.defects.order_by("-id")[:20]),
        # Field service: is the case's asset covered, and its work orders.
        "coverage": field.asset_coverage(case.asset) if case.asset_id else None,
        "work_orders": field.work_orders_for_case(user=request.user, case=case),
    }


def _render_detail(request, case_id: int, status: int = 200, **forms):
    case = selectors.case_get(user=request.user, case_id=case_id)
    context = _detail_context(request, case, **forms)
    if "action_error" in forms:
        context["action_error"] = forms["action_error"]
    return render(request, "service/cases/detail.html", context, status=status)


@require_GET
def case_detail(request, case_id: int):
    return _render_detail(request, case_id)


@require_http_methods(["GET", "POST"])
def case_new(request):
    customer = None
    wanted = request.POST.get("customer") or request.GET.get("customer") or ""
    if wanted.isdigit():
        customer = customer_get(user=request.user, customer_id=int(wanted))
    form = CaseForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={"customer": customer.pk if customer else None},
        max_bytes=services_attachment.max_bytes(),
    )
    if customer is None:
        form.fields["customer"].widget = form.fields["customer"].hidden_widget()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                by=request.user,
                customer_id=data["customer"],
                subject=data["subject"],
                description=data["description"],
                channel=data["channel"],
                type=data["type"],
                priority=data["priority"],
                queue_id=data["queue"].pk if data["queue"] else None,
                skill=data["skill"],
                asset_id=int(asset) if (asset := request.GET.get("asset", "")).isdigit() else None,
                attachments=data["attachments"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
            return redirect("service:case_detail", case.pk)
    return render(
        request,
        "service/cases/form.html",
        {"form": form, "customer": customer},
        status=422 if form.errors else 200,
    )


@require_POST
def case_message(request, case_id: int):
    form = CaseMessageForm(request.POST)
    if form.is_valid():
        try:
            message = services.case_message_add(
                by=request.user,
                case_id=case_id,
                attachments=request.FILES.getlist("attachments"),
                **form.cleaned_data,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            return _render_detail(request, case_id, exc.status_code, message_form=form)
        message.refresh_from_db()  # its delivery ran after the commit
        if message.kind == CaseMessage.Kind.NOTE:
            messages.success(request, _("Internal note added."))
        elif message.delivery in (CaseMessage.Delivery.FAILED, CaseMessage.Delivery.NO_ADDRESS):
            messages.error(
                request,
                _("The reply is kept on the case but was not sent: %(error)s")
                % {"error": message.delivery_error},
            )
        elif message.delivery == CaseMessage.Delivery.SENT:
            messages.success(request, _("Reply sent to the customer by e-mail."))
        else:
            messages.success(request, _("Reply recorded."))
        return redirect("service:case_detail", case_id)
    return _render_detail(request, case_id, 422, message_form=form)


@require_POST
def case_status(request, case_id: int):
    try:
        case = services.case_set_status(
            by=request.user, case_id=case_id, status=request.POST.get("status", "")
        )
    except DomainError as exc:
        return _render_detail(request, case_id, exc.status_code, action_error=exc.message)
    messages.success(
        request,
        _("Case %(ref)s is now %(status)s.")
        % {"ref": case.reference, "status": case.get_status_display().lower()},
    )
    return redirect("service:case_detail", case_id)


@require_POST
def case_assign(request, case_id: int):
    form = CaseAssignForm(request.POST)
    if form.is_valid():
        try:
            services.case_assign(by=request.user, case_id=case_id, owner=form.cleaned_data["owner"])
        except DomainError as exc:
            return _render_detail(request, case_id, exc.status_code, action_error=exc.message)
        messages.success(request, _("Case assigned."))
        return redirect("service:case_detail", case_id)
    return _render_detail(
        request, case_id, 422, assign_form=form, action_error=_("Choose an agent.")
    )


@require_POST
def case_edit(request, case_id: int):
    """The case's details (type, priority, queue, product, asset) from its page."""
    case = selectors.case_get(user=request.user, case_id=case_id)
    form = CaseEditForm(request.POST, case=case)
    if form.is_valid():
        try:
            case_update(by=request.user, case_id=case_id, changes=form.changes())
        except DomainError as exc:
            if exc.field not in form.fields:  # not the form's (a read-only role): on top
                return _render_detail(request, case_id, exc.status_code, action_error=exc.message)
            form.add_domain_error(exc)
            return _render_detail(request, case_id, exc.status_code, edit_form=form)
        messages.success(request, _("Case details saved."))
        return redirect("service:case_detail", case_id)
    return _render_detail(request, case_id, 422, edit_form=form)


@require_POST
def case_attachment_remove(request, case_id: int, attachment_id: int):
    try:
        attachment = services_attachment.case_attachment_remove(
            by=request.user, case_id=case_id, attachment_id=attachment_id
        )
    except DomainError as exc:
        return _render_detail(request, case_id, exc.status_code, action_error=exc.message)
    messages.success(request, _("%(name)s removed from the case.") % {"name": attachment.filename})
    return redirect("service:case_detail", case_id)


@require_POST
def case_attachment_restore(request, case_id: int, attachment_id: int):
    try:
        attachment = services_attachment.case_attachment_restore(
            by=request.user, case_id=case_id, attachment_id=attachment_id
        )
    except DomainError as exc:
        return _render_detail(request, case_id, exc.status_code, action_error=exc.message)
    messages.success(request, _("%(name)s restored to the case.") % {"name": attachment.filename})
    return redirect("service:case_detail", case_id)


@require_GET
def case_attachment(request, case_id: int, attachment_id: int):
    attachment = selectors.case_attachment_get(
        user=request.user, case_id=case_id, attachment_id=attachment_id
    )
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
