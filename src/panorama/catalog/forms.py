"""The catalogue's HTML forms: they parse what was typed; the services validate."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.core.forms import DecimalField, StyledForm, text_input
from panorama.customers.widgets import CustomerPicker

from . import selectors
from .models import (
    Category,
    Channel,
    FinancingPlan,
    OptionGroup,
    OptionRule,
    PriceList,
    Product,
    ProductOption,
    Promotion,
)
from .selectors.options import OptionModel


class StockReceiptForm(StyledForm):
    """Units received for a product; the service checks the quantity (above 0)."""

    quantity = forms.IntegerField(label=_("Units received"), required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        help_text=_("Optional: the delivery note, the supplier…"),
        widget=forms.TextInput(attrs={"maxlength": 500}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quantity"].widget.attrs.update({"min": 1, "inputmode": "numeric"})


class StockAdjustmentForm(StyledForm):
    """A count's result and why it differs; the service checks both."""

    counted = forms.IntegerField(label=_("Units counted"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        help_text=_("Required: why the count differs (kept in the history)."),
        widget=forms.TextInput(attrs={"maxlength": 500}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counted"].widget.attrs.update({"min": 0, "inputmode": "numeric"})


class ProductForm(StyledForm):
    sku = forms.CharField(label=_("SKU"), required=False, widget=text_input(Product, "sku"))
    name = forms.CharField(label=_("Name"), required=False, widget=text_input(Product, "name"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Product.Kind.choices)
    category_id = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    unit_id = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    tax_id = forms.TypedChoiceField(label=_("Tax"), required=False, coerce=int, empty_value=None)
    list_price = DecimalField(label=_("List price"), required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    lead_time_days = forms.IntegerField(label=_("Lead time (days)"), min_value=0, initial=0)
    stock_on_hand = forms.IntegerField(
        label=_("Opening stock on hand"),
        min_value=0,
        initial=0,
        help_text=_("Afterwards stock moves only through receipts, count adjustments and orders."),
    )
    track_stock = forms.BooleanField(label=_("Track stock"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # on hand moves through receipts and adjustments; reserved with orders
            del self.fields["stock_on_hand"]
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


# --- a product's options, option groups and rules --------------------------------------


class OptionGroupForm(StyledForm):
    code = forms.CharField(
        label=_("Code"),
        widget=text_input(OptionGroup, "code"),
        help_text=_("Letters, digits, hyphens and underscores; it never changes."),
    )
    name = forms.CharField(label=_("Name"), widget=text_input(OptionGroup, "name"))
    min_choices = forms.IntegerField(
        label=_("At least"),
        min_value=0,
        initial=0,
        help_text=_("How many options of the group must be chosen (0: the group is optional)."),
    )
    max_choices = forms.IntegerField(
        label=_("At most"), min_value=0, required=False, help_text=_("Empty: no limit.")
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]

    @classmethod
    def initial_of(cls, group: OptionGroup) -> dict:
        return {name: getattr(group, name) for name in cls.base_fields}


class OptionForm(StyledForm):
    code = forms.CharField(
        label=_("Code"),
        widget=text_input(ProductOption, "code"),
        help_text=_(
            "Letters, digits, hyphens and underscores; quotes keep it, so it never changes."
        ),
    )
    name = forms.CharField(label=_("Name"), widget=text_input(ProductOption, "name"))
    price = DecimalField(
        label=_("Price"),
        initial=0,
        help_text=_("Added to the product's unit price, in the product's currency."),
    )
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int, empty_value=None)
    included = forms.BooleanField(
        label=_("Included"),
        required=False,
        help_text=_("Always part of the product, at no charge."),
    )
    component = forms.ModelChoiceField(
        label=_("Component product"),
        queryset=Product.objects.none(),
        required=False,
        help_text=_(
            "The catalogue product this option is (a bundle's part): an order reserves its stock."
        ),
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)

    def __init__(self, *args, model: OptionModel, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.groups = {group.pk: group for group in model.groups}
        none: list[tuple[object, Any]] = [("", _("No group"))]
        group = cast(forms.ChoiceField, self.fields["group"])
        group.choices = none + [(g.pk, g.name) for g in model.groups]
        component = cast(forms.ModelChoiceField, self.fields["component"])
        component.queryset = (
            Product.objects.filter(active=True).exclude(pk=model.product_id).order_by("name")
        )
        if editing:
            del self.fields["code"]

    @classmethod
    def initial_of(cls, option: ProductOption) -> dict:
        initial = {
            name: getattr(option, name)
            for name in cls.base_fields
            if name not in ("group", "component")
        }
        initial["group"] = option.group_id
        initial["component"] = option.component_id
        return initial

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["group"] = self.groups.get(data["group"]) if data["group"] else None
        return data


class _ProductOptionChoice(forms.ModelChoiceField):
    """One of the product's options in the list; any option's id is taken, so the
    service (not the form) says when an option belongs to another product."""


class OptionRuleForm(StyledForm):
    option = _ProductOptionChoice(label=_("Option"), queryset=ProductOption.objects.all())
    kind = forms.ChoiceField(label=_("Rule"), choices=OptionRule.Kind.choices)
    target = _ProductOptionChoice(label=_("Other option"), queryset=ProductOption.objects.all())

    def __init__(self, *args, model: OptionModel, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[object, str]] = [("", "—")] + [
            (o.pk, f"{o.name} ({o.code})") for o in model.options.values()
        ]
        for name in ("option", "target"):
            cast(forms.ChoiceField, self.fields[name]).choices = choices

    @classmethod
    def initial_of(cls, rule: OptionRule) -> dict:
        return {"option": rule.option_id, "kind": rule.kind, "target": rule.target_id}


# --- the sales terms: price lists, promotions, financing plans ------------------------

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHANNELS = [("", _("Any"))] + Channel.choices


class _TermsForm(StyledForm):
    """A form for a record whose ``code`` is typed once, at creation (quotes name it)."""

    fields_order: tuple[str, ...] = ()

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]

    @classmethod
    def initial_of(cls, record) -> dict:
        return {name: getattr(record, name) for name in cls.base_fields if hasattr(record, name)}


class PriceListForm(_TermsForm):
    code = forms.CharField(
        label=_("Code"),
        widget=text_input(PriceList, "code"),
        help_text=_("Letters, digits, hyphens; quotes name the list by it, so it never changes."),
    )
    name = forms.CharField(label=_("Name"), widget=text_input(PriceList, "name"))
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    segment = forms.CharField(
        label=_("Segment"),
        required=False,
        widget=text_input(PriceList, "segment"),
        help_text=_("A segment code (e.g. person, organisation, pymes); empty: any."),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNELS, required=False)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = selectors.company_currency()


class PriceListItemForm(StyledForm):
    field_aliases = {"product_id": "product"}

    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(active=True).order_by("name")
    )
    min_quantity = DecimalField(label=_("From quantity"), initial=1, required=False)
    price = DecimalField(label=_("Unit price"), required=False)
    discount_percent = DecimalField(label=_("Discount (%)"), required=False)

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "product": data["product"],
            "min_quantity": data["min_quantity"] if data["min_quantity"] is not None else 1,
            "price": data["price"],
            "discount_percent": data["discount_percent"],
        }


class PromotionForm(_TermsForm):
    field_aliases = {"product_ids": "products", "category_ids": "categories"}

    code = forms.CharField(
        label=_("Code"),
        widget=text_input(Promotion, "code"),
        help_text=_("Letters, digits, hyphens; it never changes."),
    )
    name = forms.CharField(label=_("Name"), widget=text_input(Promotion, "name"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Promotion.Kind.choices)
    value = DecimalField(
        label=_("Value"),
        required=False,
        help_text=_("The percentage, or the amount off per unit in the promotion's currency."),
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    buy_quantity = forms.IntegerField(label=_("Buy"), required=False, initial=0)
    free_quantity = forms.IntegerField(label=_("Get free"), required=False, initial=0)
    coupon_code = forms.CharField(
        label=_("Coupon code"),
        required=False,
        widget=text_input(Promotion, "coupon_code"),
        help_text=_("Empty: the promotion applies by itself to whoever is eligible."),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNELS, required=False)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    max_uses = forms.IntegerField(
        label=_("Maximum uses"), required=False, help_text=_("Empty: no limit.")
    )
    segments = forms.CharField(
        label=_("Segments"),
        required=False,
        help_text=_("Segment codes separated by commas; empty: every customer."),
    )
    holding_codes = forms.CharField(
        label=_("Held product codes"),
        required=False,
        help_text=_("Only for customers who hold one of these products (codes, by commas)."),
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Products"),
        required=False,
        queryset=Product.objects.filter(active=True).order_by("name"),
        help_text=_("None chosen (and no category): every product."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"), required=False, queryset=Category.objects.order_by("name")
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = selectors.company_currency()

    @classmethod
    def initial_of(cls, record) -> dict:
        initial = super().initial_of(record)
        initial["segments"] = ", ".join(record.segments)
        initial["holding_codes"] = ", ".join(record.holding_codes)
        initial["products"] = [p.pk for p in record.products.all()]
        initial["categories"] = [c.pk for c in record.categories.all()]
        return initial

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["product_ids"] = [p.pk for p in data.pop("products")]
        data["category_ids"] = [c.pk for c in data.pop("categories")]
        data["value"] = data["value"] if data["value"] is not None else 0
        data["buy_quantity"] = data["buy_quantity"] or 0
        data["free_quantity"] = data["free_quantity"] or 0
        data["currency"] = data["currency"] or selectors.company_currency()
        return data


class FinancingPlanForm(_TermsForm):
    code = forms.CharField(
        label=_("Code"),
        widget=text_input(FinancingPlan, "code"),
        help_text=_("Letters, digits, hyphens; it never changes."),
    )
    name = forms.CharField(label=_("Name"), widget=text_input(FinancingPlan, "name"))
    instalments = forms.IntegerField(label=_("Instalments"))
    annual_rate = DecimalField(label=_("Annual nominal rate (TIN, %)"))
    opening_fee_percent = DecimalField(label=_("Opening fee (%)"), required=False, initial=0)
    min_amount = DecimalField(label=_("Minimum amount"), required=False)
    max_amount = DecimalField(label=_("Maximum amount"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        if data["opening_fee_percent"] is None:
            data["opening_fee_percent"] = 0
        return data


class TryForm(forms.Form):
    """Price one product for one customer on one day (the "try it" of a price list or a
    promotion)."""

    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(active=True).order_by("name")
    )
    quantity = DecimalField(label=_("Quantity"), initial=1, min_value=0)
    customer = forms.IntegerField(
        label=_("Customer"),
        required=False,
        widget=CustomerPicker,
        help_text=_("Search by name or identifier; empty: a customer of no segment."),
    )
    on = forms.DateField(label=_("On"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs) -> None:
        # Its own ids: the price list's page has another form with a "product" field.
        kwargs.setdefault("auto_id", "try-%s")
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault(
                "class", "form-select" if name == "product" else "form-control"
            )
