"""The sales configuration's HTML forms (pipelines, stages, lost reasons, competitors):
they parse what was typed; the configuration services validate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.core.forms import StyledForm, text_input

from ..models import Competitor, LostReason, Pipeline, Stage

REQUIRABLE_LABELS = {
    "amount": _("Amount"),
    "expected_close": _("Expected close date"),
    "next_step": _("Next step"),
    "lost_reason": _("Lost reason"),
}


class PipelineForm(StyledForm):
    name = forms.CharField(label=_("Name"), widget=text_input(Pipeline, "name"))
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR")
    is_default = forms.BooleanField(label=_("Default pipeline"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class StageForm(StyledForm):
    name = forms.CharField(label=_("Name"), widget=text_input(Stage, "name"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Stage.Kind.choices)
    probability = forms.IntegerField(label=_("Probability (%)"), required=False)
    forecast_category = forms.ChoiceField(
        label=_("Forecast category"), choices=Stage.ForecastCategory.choices
    )
    required_fields = forms.MultipleChoiceField(
        label=_("Required to enter"),
        required=False,
        choices=[(f, REQUIRABLE_LABELS[f]) for f in Stage.REQUIRABLE],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["required_fields"].widget.attrs.pop("class", None)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("probability") is None:
            data.pop("probability")
        return data


class StageNewForm(StageForm):
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.none(), empty_label=None
    )
    field_order = ["pipeline", "name", "kind", "probability", "forecast_category"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        pipeline = self.fields["pipeline"]
        assert isinstance(pipeline, forms.ModelChoiceField)
        pipeline.queryset = Pipeline.objects.order_by("position", "name")
        self.order_fields(self.field_order)

    def values(self) -> dict:
        data = super().values()
        data.pop("pipeline")
        return data


class LostReasonForm(StyledForm):
    name = forms.CharField(label=_("Lost reason"), widget=text_input(LostReason, "name"))


class CompetitorForm(StyledForm):
    name = forms.CharField(label=_("Competitor"), widget=text_input(Competitor, "name"))
    website = forms.CharField(label=_("Website"), required=False)


class ApprovalThresholdForm(StyledForm):
    """The quote approval threshold (administrators); the settings service validates."""

    field_aliases = {"quote_approval_discount": "threshold"}

    threshold = forms.CharField(
        label=_("Approval needed above a manual discount of (%)"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    comment = forms.CharField(
        label=_("Why (kept in the history)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"maxlength": "200", "autocomplete": "off"}),
    )
