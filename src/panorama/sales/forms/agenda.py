"""The agenda's, the scripts' and the forecast's HTML forms: they parse what was typed;
the services validate."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panorama.catalog.models import Product
from panorama.core.forms import DecimalField, StyledForm, text_input

from ..models import Activity, ForecastAdjustment, Script, Stage


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class ActivityForm(StyledForm):
    """Planning an item (``activity_plan``): on whose agenda, what, when."""

    field_aliases = {
        "starts_at": "day",
        "owner_id": "owner",
        "customer_id": "customer",
        "opportunity_id": "opportunity",
        "lead_id": "lead",
        "quote_id": "quote",
    }

    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    subject = forms.CharField(label=_("Subject"), widget=text_input(Activity, "subject"))
    day = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput())
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), initial=30)
    reminder_minutes = forms.IntegerField(
        label=_("Reminder (minutes before)"), required=False, help_text=_("Empty: no reminder.")
    )
    # Any id: whose agenda one may plan on is the service's rule (``sales.plan``).
    owner = forms.IntegerField(label=_("Agenda of"), widget=forms.Select)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    opportunity = forms.IntegerField(required=False, widget=forms.HiddenInput)
    lead = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The customer's quotes the user sees; whether it may be linked is the service's rule.
    quote = forms.IntegerField(label=_("Quote"), required=False, widget=forms.Select)

    def __init__(self, *args, owners=(), quotes=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["owner"].widget
        widget.choices = [(u.pk, u.get_full_name() or u.username) for u in owners]
        if quotes:
            self.fields["quote"].widget.choices = [("", "—")] + [
                (q.pk, f"{q.reference} · {q.get_status_display()}") for q in quotes
            ]
        else:
            self.fields["quote"].widget = forms.HiddenInput()

    def starts_at(self) -> datetime.datetime:
        data = self.cleaned_data
        return timezone.make_aware(datetime.datetime.combine(data["day"], data["time"]))

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "subject": data["subject"],
            "starts_at": self.starts_at(),
            "duration_minutes": data["duration_minutes"],
            "reminder_minutes": data["reminder_minutes"],
            "owner": data["owner"],
            "notes": data["notes"],
            "customer_id": data["customer"],
            "opportunity_id": data["opportunity"],
            "lead_id": data["lead"],
            "quote_id": data["quote"],
        }


class OutcomeForm(StyledForm):
    outcome = forms.CharField(
        label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(StyledForm):
    """Plan the next step from an item: same customer, opportunity and lead."""

    field_aliases = {"starts_at": "day"}

    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    subject = forms.CharField(label=_("Subject"), widget=text_input(Activity, "subject"))
    day = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput())

    def starts_at(self) -> datetime.datetime:
        data = self.cleaned_data
        return timezone.make_aware(datetime.datetime.combine(data["day"], data["time"]))


class ScriptForm(StyledForm):
    """A sales script; the objections as lines "objection | answer"."""

    field_aliases = {"product_id": "product", "stage_id": "stage"}

    title = forms.CharField(label=_("Title"), widget=text_input(Script, "title"))
    body = forms.CharField(label=_("Talking points"), widget=forms.Textarea(attrs={"rows": 6}))
    objections = forms.CharField(
        label=_("Objections"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: the objection, a vertical bar, the answer."),
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(active=True), required=False
    )
    segment = forms.CharField(
        label=_("Segment"),
        required=False,
        widget=text_input(Script, "segment"),
        help_text=_("A segment code (e.g. person, organisation, pymes); empty: any."),
    )
    stage = forms.ModelChoiceField(
        label=_("Stage"),
        queryset=Stage.objects.select_related("pipeline").order_by("pipeline__name", "position"),
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any")), ("en", _("English")), ("es", _("Spanish"))],
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_objections(self):
        pairs = []
        for line in (self.cleaned_data.get("objections") or "").splitlines():
            if not line.strip():
                continue
            objection, bar, answer = line.partition("|")
            if not bar:
                raise forms.ValidationError(
                    _("Write each objection and its answer separated by a vertical bar (|).")
                )
            pairs.append({"objection": objection.strip(), "answer": answer.strip()})
        return pairs

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "objections": data["objections"],
            "product_id": data["product"].pk if data["product"] else None,
            "segment": data["segment"],
            "stage_id": data["stage"].pk if data["stage"] else None,
            "language": data["language"],
            "active": data["active"],
        }

    @staticmethod
    def initial_of(script: Script) -> dict:
        return {
            "title": script.title,
            "body": script.body,
            "objections": "\n".join(
                f"{o.get('objection', '')} | {o.get('answer', '')}" for o in script.objections
            ),
            "product": script.product_id,
            "segment": script.segment,
            "stage": script.stage_id,
            "language": script.language,
            "active": script.active,
        }


class AdjustmentForm(StyledForm):
    """A manager's own figure for a rep's (or the team's) category."""

    field_aliases = {"rep_id": "target", "team_id": "target"}

    target = forms.ChoiceField(label=_("For"))
    category = forms.ChoiceField(label=_("Category"), choices=ForecastAdjustment.Category.choices)
    amount = DecimalField(label=_("Amount"), min_value=0, decimal_places=2, max_digits=14)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=text_input(ForecastAdjustment, "comment")
    )

    def __init__(self, *args, targets=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = list(targets)  # type: ignore[attr-defined]

    def target_ids(self) -> dict:
        kind, _sep, pk = self.cleaned_data["target"].partition(":")
        return {"rep_id": int(pk)} if kind == "rep" else {"team_id": int(pk)}
