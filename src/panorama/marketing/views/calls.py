"""The call centre's side of call-list campaigns: the open lists, an agent's desk (the
customer he holds, the argumentario, the outcome form, his calls back), and the direct
mail export of a campaign."""

import datetime

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import DomainError, ValidationFailed
from panorama.core.forms import ServiceForm
from panorama.core.lists import list_response

from .. import selectors
from ..models import Campaign, Recipient
from ..services import calls as call_services
from ..services.directmail import direct_mail_export


class OutcomeForm(ServiceForm):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[c for c in Recipient.CallOutcome.choices if c[0]],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    callback_at = forms.DateTimeField(
        label=gettext_lazy("Call back at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}),
        help_text=gettext_lazy("Only for “Call back later”."),
    )


def _scripts(campaign: Campaign, recipient: Recipient | None) -> list:
    if recipient is None:
        return []
    if campaign.script is not None and campaign.script.active:
        return [campaign.script]
    from panorama.sales.scripts import scripts_for

    return scripts_for(customer=recipient.customer)


@require_GET
def call_lists(request):
    from ..lists_campaigns import CALL_LISTS

    ensure_can(request.user, "marketing.make_calls")
    return list_response(request, CALL_LISTS, template="marketing/call_lists.html")


def _desk(request, campaign: Campaign, *, form: OutcomeForm | None = None, status: int = 200):
    current = call_services.call_current(by=request.user, campaign=campaign)
    context = {
        "campaign": campaign,
        "current": current,
        "scripts": _scripts(campaign, current),
        "form": form or OutcomeForm(),
        "callbacks": call_services.callbacks(by=request.user, campaign=campaign),
        "progress": selectors.call_progress(campaign=campaign),
        "now": timezone.now(),
    }
    return render(request, "marketing/call_desk.html", context, status=status)


@require_GET
def call_desk(request, campaign_id: int):
    ensure_can(request.user, "marketing.make_calls")
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    if campaign.channel != Campaign.Channel.CALL_LIST:
        raise ValidationFailed(_("This campaign is no call list."), field="channel")
    return _desk(request, campaign)


@require_POST
def call_take(request, campaign_id: int):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    taken = call_services.call_next(by=request.user, campaign=campaign)
    if taken is None:
        messages.info(request, _("Nobody is left to call in this list for now."))
    return redirect("marketing:call_desk", campaign.pk)


@require_POST
def call_outcome(request, campaign_id: int, recipient_id: int):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        callback_at = data.get("callback_at")
        if isinstance(callback_at, datetime.datetime) and timezone.is_naive(callback_at):
            callback_at = timezone.make_aware(callback_at)
        try:
            recipient = call_services.call_outcome_record(
                by=request.user,
                campaign=campaign,
                recipient_id=recipient_id,
                outcome=data["outcome"],
                note=data.get("note") or "",
                callback_at=callback_at,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            text = _("Call recorded: %(outcome)s.") % {
                "outcome": recipient.get_call_outcome_display()
            }
            if recipient.lead_id:
                text += " " + _("Lead %(id)s opened for sales.") % {"id": recipient.lead_id}
            messages.success(request, text)
            return redirect("marketing:call_desk", campaign.pk)
    return _desk(request, campaign, form=form, status=422)


@require_POST
def direct_mail(request, campaign_id: int):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    name, content = direct_mail_export(
        by=request.user, campaign=campaign, fmt=request.POST.get("format", "csv")
    )
    kind = (
        "text/csv; charset=utf-8"
        if name.endswith(".csv")
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response
