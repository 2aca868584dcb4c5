"""The leads pages: the list, a new lead, the lead's page with its actions (edit,
qualify, disqualify, reopen, assign, record an activity) and the conversion."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts import permissions
from panorama.core.exceptions import DomainError
from panorama.core.lists import list_response

from .. import selectors
from ..forms.leads import (
    LeadActivityForm,
    LeadAssignForm,
    LeadConvertForm,
    LeadDisqualifyForm,
    LeadForm,
)
from ..lists.leads import LEADS
from ..models import Lead
from ..services import lead as services
from ..services.lead_convert import lead_convert, lead_matches

DATA_FIELDS = ("country", "region", "postal_code")


@require_GET
def lead_list(request):
    return list_response(request, LEADS, template="sales/leads/list.html")


def _values(form: LeadForm) -> dict:
    data = dict(form.cleaned_data)
    extra = {k: data.pop(k).strip() for k in DATA_FIELDS if data.get(k, "").strip()}
    for k in DATA_FIELDS:
        data.pop(k, None)
    data["data"] = extra
    return data


@require_http_methods(["GET", "POST"])
def lead_new(request):
    form = LeadForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_create(by=request.user, **_values(form))
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Lead %(name)s created.") % {"name": lead.name})
            return redirect("sales:lead_detail", lead.pk)
    form.mark_errors()  # every field at fault shown red, its problem beside it
    return render(
        request, "sales/leads/form.html", {"form": form}, status=422 if form.errors else 200
    )


@require_GET
def lead_detail(request, lead_id: int):
    lead = selectors.lead_get(user=request.user, lead_id=lead_id)
    return render(request, "sales/leads/detail.html", _detail_context(request, lead))


def _detail_context(request, lead: Lead, **forms) -> dict:
    return {
        "lead": lead,
        "activities": selectors.lead_activities(lead=lead),
        "can_edit": permissions.can(request.user, "sales.edit") and lead.status != "converted",
        "disqualify_form": forms.get("disqualify_form") or LeadDisqualifyForm(),
        "assign_form": forms.get("assign_form")
        or LeadAssignForm(initial={"owner": lead.owner_id, "team": lead.team_id}),
        "activity_form": forms.get("activity_form") or LeadActivityForm(),
    }


@require_http_methods(["GET", "POST"])
def lead_edit(request, lead_id: int):
    lead = selectors.lead_get(user=request.user, lead_id=lead_id)
    initial = {
        **{f: getattr(lead, f) for f in LeadForm.base_fields if f not in DATA_FIELDS},
        **{f: (lead.data or {}).get(f, "") for f in DATA_FIELDS},
    }
    form = LeadForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = _values(form)
        extra = values.pop("data")
        changes = {**values, **{f: extra.get(f, "") for f in DATA_FIELDS}}
        try:
            services.lead_update(by=request.user, lead_id=lead.pk, changes=changes)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Lead %(name)s saved.") % {"name": lead.name})
            return redirect("sales:lead_detail", lead.pk)
    form.mark_errors()
    return render(
        request,
        "sales/leads/form.html",
        {"form": form, "lead": lead},
        status=422 if form.errors else 200,
    )


STATUS_MESSAGES = {
    Lead.Status.QUALIFIED: _("Lead qualified."),
    Lead.Status.DISQUALIFIED: _("Lead disqualified."),
    Lead.Status.WORKING: _("Lead reopened."),
}


def _refused(request, lead_id: int, exc: DomainError, **forms):
    lead = selectors.lead_get(user=request.user, lead_id=lead_id)
    context = _detail_context(request, lead, **forms)
    context["action_error"] = exc.message
    return render(request, "sales/leads/detail.html", context, status=exc.status_code)


@require_POST
def lead_status(request, lead_id: int):
    status = request.POST.get("status", "")
    form = LeadDisqualifyForm(request.POST) if status == Lead.Status.DISQUALIFIED else None
    reason = form.data.get("reason", "") if form is not None else ""
    try:
        services.lead_status_change(by=request.user, lead_id=lead_id, status=status, reason=reason)
    except DomainError as exc:
        if form is not None:
            form.add_domain_error(exc)
        return _refused(request, lead_id, exc, disqualify_form=form)
    messages.success(request, STATUS_MESSAGES.get(status, _("Lead saved.")))
    return redirect("sales:lead_detail", lead_id)


@require_POST
def lead_assign(request, lead_id: int):
    form = LeadAssignForm(request.POST)
    if form.is_valid():
        owner, team = form.cleaned_data["owner"], form.cleaned_data["team"]
        try:
            services.lead_assign(
                by=request.user,
                lead_id=lead_id,
                owner_id=owner.pk if owner else None,
                team_id=team.pk if team else None,
            )
        except DomainError as exc:
            return _refused(request, lead_id, exc, assign_form=form)
        messages.success(request, _("Lead assigned."))
        return redirect("sales:lead_detail", lead_id)
    return _refused(request, lead_id, DomainError(_("Choose a rep and a team.")), assign_form=form)


@require_POST
def lead_activity(request, lead_id: int):
    form = LeadActivityForm(request.POST)
    if form.is_valid():
        try:
            services.lead_activity_record(by=request.user, lead_id=lead_id, **form.cleaned_data)
        except DomainError as exc:
            return _refused(request, lead_id, exc, activity_form=form)
        messages.success(request, _("Activity recorded."))
        return redirect("sales:lead_detail", lead_id)
    return _refused(request, lead_id, DomainError(_("Choose what happened.")), activity_form=form)


@require_http_methods(["GET", "POST"])
def lead_conversion(request, lead_id: int):
    """Convert: the customers it may already be first (``identify``), to choose one or
    create a new one; optionally an opportunity."""
    lead = selectors.lead_get(user=request.user, lead_id=lead_id)
    if lead.status == Lead.Status.CONVERTED:
        messages.info(request, _("This lead was already converted."))
        return redirect("sales:lead_detail", lead.pk)
    matches = lead_matches(user=request.user, lead=lead)
    form = LeadConvertForm(
        request.POST if request.method == "POST" else None,
        initial={"opportunity_name": lead.company or lead.name, "currency": "EUR"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = request.POST.get("customer", "")
        if matches and not chosen:
            form.add_error(None, _("Choose the customer it is, or create a new one."))
        else:
            try:
                done = lead_convert(
                    by=request.user,
                    lead_id=lead.pk,
                    customer_id=int(chosen) if chosen.isdigit() else None,
                    create_new=chosen == "new",
                    opportunity=data["opportunity"],
                    opportunity_name=data["opportunity_name"],
                    pipeline_id=(
                        data["stage"].pipeline_id
                        if data["stage"]
                        else data["pipeline"].pk
                        if data["pipeline"]
                        else None
                    ),
                    stage_id=data["stage"].pk if data["stage"] else None,
                    amount=data["amount"] or 0,
                    currency=data["currency"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(
                    request,
                    _("Lead converted into %(customer)s.") % {"customer": done.customer},
                )
                return redirect("customers:detail", done.customer.pk)
    return render(
        request,
        "sales/leads/convert.html",
        {
            "lead": lead,
            "form": form,
            "matches": matches,
            "chosen": request.POST.get("customer", ""),
        },
        status=422 if form.errors else 200,
    )
