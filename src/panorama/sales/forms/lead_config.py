"""The forms of the lead configuration screens: built from the models' fields (labels,
choices, help texts), they only parse; ``services.lead_config`` validates."""

from typing import cast

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from panorama.core.forms import StyledForm

from ..models.lead_rules import WEB_FORM_FIELDS
from ..services.lead_config import CONFIGURABLE, EDITABLE


def _field(model: type[models.Model], name: str) -> models.Field:
    return cast(models.Field, model._meta.get_field(name))


class LeadConfigForm(StyledForm):
    kind: str = ""
    replaced: tuple[str, ...] = ()  # fields a subclass builds itself

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model = CONFIGURABLE[self.kind]
        names = [n for n in EDITABLE[self.kind] if n not in self.replaced]
        for name, field in forms.fields_for_model(model, fields=names).items():
            if _field(model, name).has_default():  # left empty: the default
                field.required = False
            self.fields[name] = field
        self.order_fields(EDITABLE[self.kind])
        self.style()

    @classmethod
    def initial_of(cls, obj) -> dict:
        initial = {}
        for name in EDITABLE[cls.kind]:
            value = getattr(obj, name)
            initial[name] = value.pk if hasattr(value, "pk") else value
        return initial

    def values(self) -> dict:
        model = CONFIGURABLE[self.kind]
        values = {}
        for name in EDITABLE[self.kind]:
            value, field = self.cleaned_data.get(name), _field(model, name)
            if value in (None, "") and field.has_default() and not (field.blank or field.null):
                continue  # an empty field keeps the model's default (or the current value)
            values[name] = value
        return values


class ScoringRuleForm(LeadConfigForm):
    kind = "scoring"


class AssignmentRuleForm(LeadConfigForm):
    kind = "assignment"


class WebFormForm(LeadConfigForm):
    kind = "webform"
    replaced = ("fields", "required_fields", "thank_you_url")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fields"] = forms.MultipleChoiceField(
            label=_("Fields"),
            choices=WEB_FORM_FIELDS,
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            required=False,
        )
        self.fields["required_fields"] = forms.MultipleChoiceField(
            label=_("Required fields"),
            choices=WEB_FORM_FIELDS,
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            required=False,
        )
        self.fields["thank_you_url"] = forms.URLField(
            label=_("Thank-you page"),
            required=False,
            assume_scheme="https",
            help_text=_("Where a visitor goes after sending; empty: the form answers JSON."),
        )
        self.order_fields(EDITABLE[self.kind])
        self.style()


FORMS: dict[str, type[LeadConfigForm]] = {
    "scoring": ScoringRuleForm,
    "assignment": AssignmentRuleForm,
    "webform": WebFormForm,
}
