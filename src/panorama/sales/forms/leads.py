"""The leads' HTML forms: they parse what was typed; the lead services validate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Team, User
from panorama.core.forms import DecimalField, StyledForm, text_input

from ..models import Lead, LeadActivity, Pipeline, Stage


class LeadForm(StyledForm):
    first_name = forms.CharField(
        label=_("First name"), required=False, widget=text_input(Lead, "first_name")
    )
    last_name = forms.CharField(
        label=_("Last name"), required=False, widget=text_input(Lead, "last_name")
    )
    company = forms.CharField(
        label=_("Company"), required=False, widget=text_input(Lead, "company")
    )
    job_title = forms.CharField(
        label=_("Job title"), required=False, widget=text_input(Lead, "job_title")
    )
    email = forms.CharField(
        label=_("E-mail"), required=False, widget=forms.EmailInput(attrs={"maxlength": 254})
    )
    phone = forms.CharField(label=_("Phone"), required=False, widget=text_input(Lead, "phone"))
    source = forms.ChoiceField(label=_("Source"), choices=Lead.Source.choices, initial="manual")
    country = forms.CharField(label=_("Country"), required=False)
    region = forms.CharField(label=_("Region"), required=False)
    postal_code = forms.CharField(label=_("Postal code"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LeadDisqualifyForm(StyledForm):
    reason = forms.CharField(label=_("Why is it disqualified?"), max_length=200)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class LeadAssignForm(StyledForm):
    owner = UserChoiceField(
        label=_("Rep"),
        required=False,
        queryset=User.objects.filter(is_active=True).order_by("first_name", "last_name"),
    )
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.all())


class LeadActivityForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[
            (k, label) for k, label in LeadActivity.Kind.choices if k in LeadActivity.RECORDABLE
        ],
    )
    detail = forms.CharField(
        label=_("Detail"), required=False, widget=text_input(LeadActivity, "detail")
    )


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.pipeline.name}: {obj.name}"


class LeadConvertForm(StyledForm):
    opportunity = forms.BooleanField(label=_("Also open an opportunity"), required=False)
    opportunity_name = forms.CharField(label=_("Opportunity name"), required=False)
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), required=False, queryset=Pipeline.objects.filter(active=True)
    )
    stage = StageChoiceField(
        label=_("Stage"),
        required=False,
        help_text=_("Empty: the pipeline's first open stage."),
        queryset=Stage.objects.filter(pipeline__active=True, kind=Stage.Kind.OPEN)
        .select_related("pipeline")
        .order_by("pipeline__position", "pipeline__name", "position", "id"),
    )
    amount = DecimalField(label=_("Amount"), required=False, min_value=0, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
