"""The opportunities' HTML forms: they parse what was typed; the services validate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Team, User
from panorama.catalog.models import Product
from panorama.core.forms import DecimalField, StyledForm, text_input

from ..models import Competitor, LostReason, Opportunity, Pipeline, Stage


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class OpportunityForm(StyledForm):
    """Editing an opportunity (``opportunity_update``)."""

    field_aliases = {"owner_id": "owner", "team_id": "team", "competitor_ids": "competitors"}

    name = forms.CharField(label=_("Name"), widget=text_input(Opportunity, "name"))
    amount = DecimalField(label=_("Amount"), required=False, min_value=0)
    currency = forms.CharField(
        label=_("Currency"), max_length=3, widget=forms.TextInput(attrs={"size": 3})
    )
    expected_close = forms.DateField(
        label=_("Expected close date"), required=False, widget=DateInput()
    )
    probability = forms.IntegerField(
        label=_("Probability (%)"),
        required=False,
        help_text=_("Empty: the stage's probability."),
    )
    next_step = forms.CharField(
        label=_("Next step"), required=False, widget=text_input(Opportunity, "next_step")
    )
    next_step_date = forms.DateField(label=_("Next step date"), required=False, widget=DateInput())
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=User.objects.none())
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.none())
    competitors = forms.ModelMultipleChoiceField(
        label=_("Competitors"),
        required=False,
        queryset=Competitor.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        team = self.fields["team"]
        competitors = self.fields["competitors"]
        assert isinstance(owner, forms.ModelChoiceField)
        assert isinstance(team, forms.ModelChoiceField)
        assert isinstance(competitors, forms.ModelMultipleChoiceField)
        owner.queryset = User.objects.filter(is_active=True).order_by("username")
        team.queryset = Team.objects.order_by("name")
        competitors.queryset = Competitor.objects.order_by("name")
        competitors.widget.attrs.pop("class", None)

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        owner, team = data.pop("owner"), data.pop("team")
        competitors = data.pop("competitors")
        if data.get("amount") is None:
            data["amount"] = 0
        return {
            **data,
            "owner_id": owner.pk if owner else None,
            "team_id": team.pk if team else None,
            "competitor_ids": [c.pk for c in competitors],
        }


class OpportunityNewForm(StyledForm):
    """Opening an opportunity for a customer (``opportunity_create``)."""

    name = forms.CharField(label=_("Name"), widget=text_input(Opportunity, "name"))
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.none(), empty_label=None
    )
    amount = DecimalField(label=_("Amount"), required=False, min_value=0)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    expected_close = forms.DateField(
        label=_("Expected close date"), required=False, widget=DateInput()
    )
    next_step = forms.CharField(
        label=_("Next step"), required=False, widget=text_input(Opportunity, "next_step")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        pipeline = self.fields["pipeline"]
        assert isinstance(pipeline, forms.ModelChoiceField)
        pipeline.queryset = Pipeline.objects.filter(active=True).order_by("-is_default", "position")


class MoveForm(StyledForm):
    """Moving an opportunity to another stage from its page (``opportunity_move``)."""

    field_aliases = {"stage_id": "stage"}

    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none())
    lost_reason = forms.ModelChoiceField(
        label=_("Lost reason"),
        required=False,
        queryset=LostReason.objects.none(),
        help_text=_("Needed to move it to a lost stage."),
    )
    lost_note = forms.CharField(
        label=_("Why it was lost"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, pipeline_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        stage = self.fields["stage"]
        reason = self.fields["lost_reason"]
        assert isinstance(stage, forms.ModelChoiceField)
        assert isinstance(reason, forms.ModelChoiceField)
        stage.queryset = Stage.objects.filter(pipeline_id=pipeline_id).order_by("position", "id")
        reason.queryset = LostReason.objects.filter(active=True)


class ProductLineForm(StyledForm):
    """A product of the catalogue on an opportunity, with its quantity."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    quantity = DecimalField(label=_("Quantity"), initial=1, decimal_places=2)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        product = self.fields["product"]
        assert isinstance(product, forms.ModelChoiceField)
        product.queryset = Product.objects.filter(active=True).order_by("name")
