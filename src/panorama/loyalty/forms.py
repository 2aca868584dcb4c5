"""Loyalty's HTML forms: they parse what was typed; the services validate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.catalog.models import Category, Product
from panorama.core.forms import DecimalField, StyledForm, text_input
from panorama.marketing.models import Segment

from .models import EarningRule, Programme, Reward, Tier

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(StyledForm):
    name = forms.CharField(label=_("Name"), widget=text_input(Programme, "name"))
    points_name = forms.CharField(
        label=_("Points name"),
        initial="puntos",
        widget=text_input(Programme, "points_name"),
        help_text=_("What members call their points (puntos, millas...)."),
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR")
    points_per_unit = DecimalField(label=_("Points per currency unit spent"), initial=1)
    expiry_months = forms.IntegerField(
        label=_("Points expire after (months)"),
        initial=24,
        min_value=0,
        help_text=_("0: points never expire."),
    )
    qualification_months = forms.IntegerField(
        label=_("Tier qualification period (months)"), initial=12, min_value=1
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def initial_of(cls, programme: Programme) -> dict:
        return {name: getattr(programme, name) for name in cls.base_fields}


class TierForm(StyledForm):
    prefix = "tier"
    name = forms.CharField(label=_("Name"), widget=text_input(Tier, "name"))
    threshold = forms.IntegerField(label=_("Points to qualify"), min_value=0)
    multiplier = DecimalField(label=_("Points multiplier"), initial=1)
    benefits = forms.CharField(
        label=_("Benefits"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


CHOICES = ("product", "category", "segment")


class RuleForm(StyledForm):
    prefix = "rule"
    field_aliases = {"product_id": "product", "category_id": "category", "segment_id": "segment"}

    kind = forms.ChoiceField(label=_("Kind"), choices=EarningRule.Kind.choices)
    name = forms.CharField(label=_("Name"), widget=text_input(EarningRule, "name"))
    product = forms.ModelChoiceField(
        label=_("Product"),
        required=False,
        queryset=Product.objects.filter(active=True).order_by("name"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.order_by("name")
    )
    extra_points = forms.IntegerField(
        label=_("Extra points per unit"), required=False, min_value=0, initial=0
    )
    multiplier = DecimalField(label=_("Campaign multiplier"), required=False, initial=2)
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE)
    segment = forms.ModelChoiceField(
        label=_("Only for the segment"),
        required=False,
        queryset=Segment.objects.order_by("name", "id"),
        empty_label=_("Every member"),
        help_text=_("Only members in this marketing segment when they earn get the rule."),
    )

    @classmethod
    def editing(cls, rule: EarningRule, data=None) -> "RuleForm":
        """The form that edits ``rule`` on the programme's page (its own prefix, so each
        rule's fields have their own ids)."""
        initial = {
            "kind": rule.kind,
            "name": rule.name,
            "product": rule.product_id,
            "category": rule.category_id,
            "extra_points": rule.extra_points,
            "multiplier": rule.multiplier,
            "starts_on": rule.starts_on,
            "ends_on": rule.ends_on,
            "segment": rule.segment_id,
        }
        return cls(data, prefix=f"rule-{rule.pk}", initial=initial)

    @staticmethod
    def share_choices(forms: list["RuleForm"]) -> None:
        """Read the products, categories and segments once for all ``forms`` (a page
        with a form per rule costs the same queries whatever its number of rules)."""
        if not forms:
            return
        shared = {name: list(forms[0].fields[name].choices) for name in CHOICES}  # type: ignore[attr-defined]
        for form in forms:
            for name, choices in shared.items():
                form.fields[name].choices = choices  # type: ignore[attr-defined]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        product, category = data.pop("product"), data.pop("category")
        segment = data.pop("segment")
        data["segment_id"] = segment.pk if segment else None
        data["product_id"] = product.pk if product else None
        data["category_id"] = category.pk if category else None
        data["extra_points"] = data["extra_points"] or 0
        data["multiplier"] = data["multiplier"] if data["multiplier"] is not None else 1
        return data


class RewardForm(StyledForm):
    prefix = "reward"
    name = forms.CharField(label=_("Name"), widget=text_input(Reward, "name"))
    cost = forms.IntegerField(label=_("Cost in points"), min_value=1)
    stock = forms.IntegerField(
        label=_("Stock"), required=False, min_value=0, help_text=_("Empty: unlimited.")
    )


class EnrolForm(StyledForm):
    programme_id = forms.TypedChoiceField(label=_("Programme"), coerce=int)

    def __init__(self, *args, programmes=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme_id"].choices = [(p.pk, p.name) for p in programmes]  # type: ignore[attr-defined]


class RedeemForm(StyledForm):
    reward_id = forms.TypedChoiceField(label=_("Reward"), coerce=int)

    def __init__(self, *args, rewards=(), points_name="", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reward_id"].choices = [  # type: ignore[attr-defined]
            (r.pk, f"{r.name} · {r.cost} {points_name}") for r in rewards
        ]


class AdjustForm(StyledForm):
    points = forms.IntegerField(
        label=_("Points"), help_text=_("Positive to add, negative to take away.")
    )
    reason = forms.CharField(label=_("Reason"))


class StatementForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("To"), required=False, widget=DATE)
