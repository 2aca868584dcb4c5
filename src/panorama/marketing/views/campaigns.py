"""Message templates (with a preview and a test send) and campaigns (design, launch,
report, responses)."""

from typing import TypeVar

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import ensure_can
from panorama.channels.models import MessagingAccount
from panorama.core.exceptions import DomainError, ValidationFailed
from panorama.core.forms import DecimalField, ServiceForm
from panorama.core.lists import list_response
from panorama.sales.models import Script

from .. import selectors
from ..lists_pages import TEMPLATES
from ..models import Campaign, MessageTemplate
from ..models.campaigns import AB_METRICS
from ..services import abtest
from ..services import campaigns as campaign_services
from ..services import templates as template_services

FormT = TypeVar("FormT", bound=forms.Form)


class TemplateForm(ServiceForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    subject_es = forms.CharField(label=gettext_lazy("Subject (Spanish)"), max_length=200)
    body_es = forms.CharField(
        label=gettext_lazy("Body (Spanish)"), widget=forms.Textarea(attrs={"rows": 8})
    )
    subject_en = forms.CharField(
        label=gettext_lazy("Subject (English)"), max_length=200, required=False
    )
    body_en = forms.CharField(
        label=gettext_lazy("Body (English)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
    )


class CampaignForm(ServiceForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    objective = forms.CharField(
        label=gettext_lazy("Objective"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=Campaign.Channel.choices)
    programme = forms.ChoiceField(
        label=gettext_lazy("Programme"),
        choices=Campaign.Programme.choices,
        initial=Campaign.Programme.ACQUISITION,
        required=False,
    )
    segment = forms.ModelChoiceField(
        label=gettext_lazy("Target segment"), queryset=selectors.segments_all(), required=False
    )
    static_list = forms.ModelChoiceField(
        label=gettext_lazy("Target list"), queryset=selectors.lists_all(), required=False
    )
    template = forms.ModelChoiceField(
        label=gettext_lazy("Message"), queryset=MessageTemplate.objects.all(), required=False
    )
    sms_account = forms.ModelChoiceField(
        label=gettext_lazy("SMS account (SMS campaigns)"),
        queryset=MessagingAccount.objects.filter(active=True, kind=MessagingAccount.Kind.SMS),
        required=False,
    )
    script = forms.ModelChoiceField(
        label=gettext_lazy("Sales script (call lists)"),
        queryset=Script.objects.filter(active=True),
        required=False,
        help_text=gettext_lazy("Empty: the scripts that fit each customer."),
    )
    control_percent = forms.IntegerField(
        label=gettext_lazy("Control group (%)"), min_value=0, max_value=50, initial=10
    )
    offer_product_code = forms.CharField(
        label=gettext_lazy("Offered product code"), max_length=50, required=False
    )
    budget = DecimalField(label=gettext_lazy("Budget"), min_value=0, initial=0)
    cost = DecimalField(label=gettext_lazy("Cost"), min_value=0, initial=0)
    scheduled_at = forms.DateTimeField(
        label=gettext_lazy("Send at (empty: at launch)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    ab_percent = forms.IntegerField(
        label=gettext_lazy("A/B test share (%)"),
        min_value=0,
        max_value=50,
        initial=0,
        required=False,
        help_text=gettext_lazy("0: no test. Add the variants on the campaign's page."),
    )
    ab_metric = forms.ChoiceField(
        label=gettext_lazy("Winner by"), choices=AB_METRICS, initial="opens", required=False
    )
    ab_wait_hours = forms.IntegerField(
        label=gettext_lazy("A/B test duration (hours)"),
        min_value=1,
        max_value=336,
        initial=24,
        required=False,
    )

    def changes(self) -> dict:
        """The cleaned data, an A/B setting left empty keeping its value (or default)."""
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if not ((k.startswith("ab_") or k == "programme") and v in (None, ""))
        }


class VariantForm(ServiceForm):
    label = forms.CharField(label=gettext_lazy("Label"), max_length=20)
    template = forms.ModelChoiceField(
        label=gettext_lazy("Message"), queryset=MessageTemplate.objects.all()
    )
    subject = forms.CharField(
        label=gettext_lazy("Subject (empty: the message's)"), max_length=200, required=False
    )


def _styled(form: FormT) -> FormT:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)
    return form


@require_GET
def template_list(request):
    return list_response(request, TEMPLATES, template="marketing/template_list.html")


@require_http_methods(["GET", "POST"])
def template_edit(request, template_id: int | None = None):
    template = selectors.template_get(template_id=template_id) if template_id else None
    if request.method == "POST":
        form = _styled(TemplateForm(request.POST))
        if form.is_valid():
            try:
                saved = template_services.template_save(
                    by=request.user, template=template, **form.cleaned_data
                )
            except ValidationFailed as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Message saved."))
                return redirect("marketing:template_edit", saved.pk)
        status = 422
    else:
        initial = {f: getattr(template, f) for f in TemplateForm.base_fields} if template else {}
        form, status = _styled(TemplateForm(initial=initial)), 200
    return render(
        request,
        "marketing/template_edit.html",
        {"form": form, "template": template, "merge_fields": _merge_fields()},
        status=status,
    )


def _merge_fields():
    from ..messages import MERGE_FIELDS

    return [(name, str(label)) for name, label in MERGE_FIELDS.items()]


@require_POST
def template_preview(request, template_id: int):
    """HTMX: the message as one customer would get it; or the test send."""
    template = selectors.template_get(template_id=template_id)
    raw = request.POST.get("customer_id", "").strip()
    context: dict = {"template": template}
    status = 200
    try:
        if not raw.isdigit():
            raise ValidationFailed(_("Give a customer number."), field="customer_id")
        if request.POST.get("action") == "test":
            sent_to = template_services.template_test_send(
                by=request.user,
                template=template,
                customer_id=int(raw),
                to=request.POST.get("to", ""),
            )
            context["sent_to"] = sent_to
        context["preview"] = template_services.template_preview(
            by=request.user, template=template, customer_id=int(raw)
        )
        from ..services.sms import sms_length

        context["sms"] = sms_length(context["preview"].body)
    except DomainError as exc:
        context["error"] = exc
        status = 422 if exc.status_code == 422 else exc.status_code
    return render(request, "marketing/_preview.html", context, status=status)


@require_GET
def campaign_list(request):
    from ..lists_campaigns import CAMPAIGNS

    return list_response(request, CAMPAIGNS, template="marketing/campaign_list.html")


@require_http_methods(["GET", "POST"])
def campaign_edit(request, campaign_id: int | None = None):
    campaign = selectors.campaign_get(campaign_id=campaign_id) if campaign_id else None
    if request.method == "POST":
        form = _styled(CampaignForm(request.POST))
        if form.is_valid():
            try:
                saved = campaign_services.campaign_save(
                    by=request.user, campaign=campaign, changes=form.changes()
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Campaign saved."))
                return redirect("marketing:campaign_detail", saved.pk)
        status = 422
    else:
        ensure_can(request.user, "marketing.send_campaigns")
        initial = {f: getattr(campaign, f) for f in CampaignForm.base_fields} if campaign else {}
        form, status = _styled(CampaignForm(initial=initial)), 200
    return render(
        request,
        "marketing/campaign_edit.html",
        {"form": form, "campaign": campaign},
        status=status,
    )


@require_GET
def campaign_detail(request, campaign_id: int):
    return _campaign_detail(request, campaign_id)


def _campaign_detail(request, campaign_id: int, *, status: int = 200, **kwargs):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    context: dict = {
        "campaign": campaign,
        "results": selectors.campaign_results(campaign=campaign),
        "variants": abtest.variant_figures(campaign),
        "ledger": selectors.ledger(user=request.user, campaign=campaign, limit=50),
    }
    if campaign.status == Campaign.Status.DRAFT and (
        campaign.segment_id or campaign.static_list_id
    ):
        context["audience"] = campaign_services.audience_summary(campaign=campaign, by=request.user)
    if campaign.channel == Campaign.Channel.CALL_LIST and campaign.status != Campaign.Status.DRAFT:
        context["progress"] = selectors.call_progress(campaign=campaign)
    if campaign.status == Campaign.Status.DRAFT and campaign.channel == Campaign.Channel.EMAIL:
        context["variant_form"] = kwargs.get("variant_form") or _styled(
            VariantForm(initial={"label": "ABCDE"[min(len(context["variants"]), 4)]})
        )
    return render(request, "marketing/campaign_detail.html", context, status=status)


@require_POST
def variant_add(request, campaign_id: int):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    form = _styled(VariantForm(request.POST))
    if form.is_valid():
        try:
            abtest.variant_save(by=request.user, campaign=campaign, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Variant added."))
            return redirect("marketing:campaign_detail", campaign.pk)
    return _campaign_detail(request, campaign_id, variant_form=form, status=422)


@require_POST
def variant_remove(request, campaign_id: int, variant_id: int):
    variant = selectors.variant_get(campaign_id=campaign_id, variant_id=variant_id)
    abtest.variant_remove(by=request.user, variant=variant)
    messages.success(request, _("Variant removed."))
    return redirect("marketing:campaign_detail", campaign_id)


@require_POST
def ab_decide(request, campaign_id: int):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    winner = abtest.ab_decide(campaign_id=campaign.pk, by=request.user)
    messages.success(
        request,
        _("A/B test ended: variant %(label)s wins and goes to the rest of the target group.")
        % {"label": winner.label},
    )
    return redirect("marketing:campaign_detail", campaign.pk)


@require_POST
def campaign_launch(request, campaign_id: int):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    drawn = campaign_services.campaign_launch(by=request.user, campaign=campaign)
    messages.success(
        request,
        _("Campaign launched: %(t)s customers targeted, %(c)s held back as the control group.")
        % {"t": f"{drawn['target']:,}", "c": f"{drawn['control']:,}"},
    )
    return redirect("marketing:campaign_detail", campaign.pk)


@require_POST
def campaign_response(request, campaign_id: int):
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    raw = request.POST.get("customer_id", "").strip()
    if not raw.isdigit():
        raise ValidationFailed(_("Give a customer number."), field="customer_id")
    recipient = campaign_services.campaign_response_record(
        by=request.user,
        campaign=campaign,
        customer_id=int(raw),
        note=request.POST.get("note", ""),
        becomes=request.POST.get("becomes", "lead"),
    )
    if recipient.opportunity_id:
        done = _("Response recorded: opportunity %(id)s opened for sales.") % {
            "id": recipient.opportunity_id
        }
    else:
        done = _("Response recorded: lead %(id)s opened for sales.") % {"id": recipient.lead_id}
    messages.success(request, done)
    return redirect("marketing:campaign_detail", campaign.pk)
