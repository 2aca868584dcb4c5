"""The forms of the catalogue settings page: categories, units, taxes, exchange rates.
They parse what was typed; the services (``services.products``) validate."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panorama.core.forms import DecimalField, StyledForm, text_input

from .models import Category, Tax, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _SettingsForm(StyledForm):
    """Its own ids (the settings page holds four forms, each with a ``name``); ``code`` is
    typed once, at creation."""

    prefix_id = ""

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{self.prefix_id}-%s")
        super().__init__(*args, **kwargs)
        if editing:
            self.fields.pop("code", None)

    @classmethod
    def initial_of(cls, record) -> dict:
        return {name: getattr(record, name) for name in cls.base_fields if hasattr(record, name)}


class CategoryForm(_SettingsForm):
    prefix_id = "category"
    name = forms.CharField(label=_("Name"), widget=text_input(Category, "name"))
    parent = forms.ModelChoiceField(
        label=_("Parent category"),
        queryset=Category.objects.order_by("name"),
        required=False,
        empty_label=_("None (top level)"),
    )

    def values(self) -> dict:
        return {"name": self.cleaned_data["name"], "parent": self.cleaned_data["parent"]}


class UnitForm(_SettingsForm):
    prefix_id = "unit"
    code = forms.CharField(
        label=_("Code"),
        widget=text_input(Unit, "code"),
        help_text=_("Letters, digits, hyphens; it never changes."),
    )
    name = forms.CharField(label=_("Name"), widget=text_input(Unit, "name"))


class TaxForm(_SettingsForm):
    prefix_id = "tax"
    code = forms.CharField(
        label=_("Code"),
        widget=text_input(Tax, "code"),
        help_text=_("Letters, digits, hyphens; it never changes."),
    )
    name = forms.CharField(label=_("Name"), widget=text_input(Tax, "name"))
    rate = DecimalField(
        label=_("Rate (%)"),
        help_text=_("A new rate applies to lines priced from now on; existing quotes keep theirs."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ExchangeRateForm(_SettingsForm):
    prefix_id = "rate"
    currency = forms.CharField(
        label=_("Currency"),
        max_length=10,
        help_text=_("ISO 4217 code, e.g. USD."),
    )
    rate = DecimalField(
        label=_("Rate"),
        help_text=_("How many units of the company currency one unit is worth."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE, initial=timezone.localdate)
