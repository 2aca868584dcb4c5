"""The quotes' and orders' HTML forms: they parse what was typed; the services validate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.catalog.models import FinancingPlan, PriceList, Product
from panorama.customers.forms import StyledForm

from ..models import Order
from .opportunities import DateInput


class QuoteNewForm(StyledForm):
    """A new quote's terms (``quote_create``)."""

    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        help_text=_("Empty: the opportunity's or the company's."),
        widget=forms.TextInput(attrs={"size": 3}),
    )
    price_list = forms.ChoiceField(label=_("Price list"), required=False)
    coupon = forms.CharField(label=_("Coupon"), max_length=40, required=False)
    financing_plan = forms.ModelChoiceField(
        label=_("Financing plan"), queryset=FinancingPlan.objects.none(), required=False
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: the usual validity from today."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("The customer's")), ("es", "Español"), ("en", "English")],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        price_list = self.fields["price_list"]
        assert isinstance(price_list, forms.ChoiceField)
        price_list.choices = [("", _("The best that applies"))] + [
            (code, name)
            for code, name in PriceList.objects.filter(active=True)
            .order_by("name")
            .values_list("code", "name")
        ]
        plan = self.fields["financing_plan"]
        assert isinstance(plan, forms.ModelChoiceField)
        plan.queryset = FinancingPlan.objects.filter(active=True).order_by("name")


class QuoteLineForm(StyledForm):
    """A configured product on a quote (``quote_line_add``)."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    options = forms.CharField(
        label=_("Options"),
        required=False,
        help_text=_("The option codes, separated by commas (e.g. fibra1g, movil_basico)."),
    )
    quantity = forms.CharField(label=_("Quantity"), initial="1", max_length=20)
    manual_discount_percent = forms.CharField(
        label=_("Manual discount (%)"), initial="0", required=False, max_length=10
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        product = self.fields["product"]
        assert isinstance(product, forms.ModelChoiceField)
        product.queryset = Product.objects.filter(active=True).order_by("name")

    def option_codes(self) -> list[str]:
        raw = self.cleaned_data.get("options") or ""
        return [code.strip() for code in raw.replace(";", ",").split(",") if code.strip()]


class DecisionForm(StyledForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OrderTransitionForm(StyledForm):
    to = forms.ChoiceField(label=_("Status"), choices=Order.Status.choices)
