"""The catalogue's HTML forms: they parse what was typed; the services validate."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.core.forms import text_input
from panorama.customers.forms import StyledForm

from . import selectors
from .models import Product


class ProductFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Name or SKU"))
    kind = forms.ChoiceField(
        required=False, label=_("Kind"), choices=[("", _("All"))] + Product.Kind.choices
    )
    cursor = forms.CharField(required=False)


class ProductForm(StyledForm):
    sku = forms.CharField(label=_("SKU"), required=False, widget=text_input(Product, "sku"))
    name = forms.CharField(label=_("Name"), required=False, widget=text_input(Product, "name"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Product.Kind.choices)
    category_id = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    unit_id = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    tax_id = forms.TypedChoiceField(label=_("Tax"), required=False, coerce=int, empty_value=None)
    list_price = forms.DecimalField(label=_("List price"), localize=True, required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    lead_time_days = forms.IntegerField(label=_("Lead time (days)"), min_value=0, initial=0)
    stock_on_hand = forms.IntegerField(label=_("Stock on hand"), min_value=0, initial=0)
    stock_reserved = forms.IntegerField(label=_("Stock reserved"), min_value=0, initial=0)
    track_stock = forms.BooleanField(label=_("Track stock"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        none: list[tuple[object, str]] = [("", "—")]
        choices = {
            name: cast(forms.ChoiceField, self.fields[name])
            for name in ("category_id", "unit_id", "tax_id")
        }
        choices["category_id"].choices = none + [
            (c.pk, f"{c.parent.name} › {c.name}" if c.parent else c.name)
            for c in selectors.categories()
        ]
        choices["unit_id"].choices = none + [(u.pk, u.name) for u in selectors.units()]
        choices["tax_id"].choices = none + [
            (t.pk, t.name) for t in selectors.taxes(active_only=True)
        ]
        self.fields["currency"].initial = selectors.company_currency()

    @classmethod
    def initial_of(cls, product: Product) -> dict:
        return {name: getattr(product, name) for name in cls.base_fields}
