"""The quotes' and orders' HTML forms: they parse what was typed; the services validate."""

from typing import cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panorama.catalog.models import Channel, FinancingPlan, PriceList, Product
from panorama.core.forms import StyledForm

from ..models import Order, Quote, QuoteLine
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
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=Channel.choices,
        initial=Channel.DIRECT,
        required=False,
        help_text=_("Where the sale is made: price lists and promotions may hold for one."),
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


class QuoteTermsForm(QuoteNewForm):
    """A quote's terms changed (``quote_update``), shown with the quote's own. Every
    term is sent: an empty price list or coupon removes it. The quote's price list or
    financing plan stays a choice even once archived, so saving other terms never drops
    it unseen (the service then says whether it still holds)."""

    def __init__(self, *args, quote: Quote, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "currency": quote.currency,
                "price_list": quote.price_list,
                "coupon": quote.coupon,
                "financing_plan": quote.financing_plan_id,
                "valid_until": quote.valid_until,
                "language": quote.language,
            },
        )
        kwargs.setdefault("prefix", "terms")
        super().__init__(*args, **kwargs)
        del self.fields["channel"]
        for name in ("currency", "valid_until", "language"):
            self.fields[name].required = True
            self.fields[name].help_text = ""
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = [("es", "Español"), ("en", "English")]
        price_list = self.fields["price_list"]
        assert isinstance(price_list, forms.ChoiceField)
        choices = cast(list[tuple[str, str]], price_list.choices)
        if quote.price_list and quote.price_list not in dict(choices):
            price_list.choices = [*choices, (quote.price_list, quote.price_list)]
        plan = self.fields["financing_plan"]
        assert isinstance(plan, forms.ModelChoiceField)
        plan.queryset = FinancingPlan.objects.filter(
            Q(active=True) | Q(pk=quote.financing_plan_id)
        ).order_by("name")


class OptionCodes(forms.MultipleChoiceField):
    """The codes of the options ticked in the picker. Whether they make a valid
    configuration is the catalogue's to say (``configuration_check``, which the pricing
    of the line runs), never this form's: any code passes here."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value) -> bool:
        return True


class QuoteLineEditForm(StyledForm):
    """A line's quantity, manual discount and options changed in place
    (``quote_line_update``); each line's form has its own prefix, so the page holds one
    per line. The options are the product's, ticked in the same picker as a new line's
    (``catalog/_option_fields.html``); the configurator of the line's pricing judges
    them, with the API's very messages."""

    quantity = forms.CharField(label=_("Quantity"), max_length=20)
    manual_discount_percent = forms.CharField(
        label=_("Manual discount (%)"), required=False, max_length=10
    )
    options = OptionCodes(label=_("Options"), required=False)

    def __init__(self, *args, line: QuoteLine, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "quantity": line.quantity,
                "manual_discount_percent": line.manual_discount_percent,
                "options": list(line.options or ()),
            },
        )
        kwargs.setdefault("prefix", f"line-{line.pk}")
        super().__init__(*args, **kwargs)
        for name in ("quantity", "manual_discount_percent"):
            self.fields[name].widget.attrs.update(
                {"class": "form-control form-control-sm", "size": 6}
            )

    def number_fields(self) -> list[forms.BoundField]:
        return [self["quantity"], self["manual_discount_percent"]]

    def option_codes(self) -> list[str]:
        return [str(code).strip() for code in self.cleaned_data.get("options") or [] if code]

    def chosen(self) -> set[str]:
        """The codes to show ticked: as posted (a refused change), else the line's."""
        if self.is_bound:
            getlist = getattr(self.data, "getlist", None)
            posted = getlist(self.add_prefix("options")) if getlist else []
            return {str(code) for code in posted if code}
        return {str(code) for code in self.initial.get("options") or ()}


class QuoteLineForm(StyledForm):
    """A configured product on a quote (``quote_line_add``): the product, its options
    ticked in the picker the catalogue's option model draws, quantity and discount."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    options = OptionCodes(label=_("Options"), required=False)
    quantity = forms.CharField(label=_("Quantity"), initial="1", max_length=20)
    manual_discount_percent = forms.CharField(
        label=_("Manual discount (%)"), initial="0", required=False, max_length=10
    )

    def __init__(self, *args, options_url: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        product = self.fields["product"]
        assert isinstance(product, forms.ModelChoiceField)
        product.queryset = Product.objects.filter(active=True).order_by("name")
        if options_url:  # choosing a product loads its options (HTMX)
            product.widget.attrs.update(
                {
                    "hx-get": options_url,
                    "hx-trigger": "change",
                    "hx-target": "#option-picker",
                    "hx-swap": "outerHTML",
                    "hx-include": "this",
                    "aria-controls": "option-picker",
                }
            )

    def option_codes(self) -> list[str]:
        return [str(code).strip() for code in self.cleaned_data.get("options") or [] if code]

    def picked(self) -> tuple[int | None, list[str]]:
        """The product id and option codes as posted (to draw the picker again)."""
        if not self.is_bound:
            return None, []
        raw = str(self.data.get("product") or "")
        codes = self.data.getlist("options") if hasattr(self.data, "getlist") else []
        return (int(raw) if raw.isdigit() else None), [str(code) for code in codes if code]


class DecisionForm(StyledForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OrderTransitionForm(StyledForm):
    to = forms.ChoiceField(label=_("Status"), choices=Order.Status.choices)


ORDER_LINES = 6  # rows of the direct order form


class OrderNewForm(StyledForm):
    """An order placed directly (``order_create``): its terms and up to ``ORDER_LINES``
    lines of product and quantity. Empty rows are ignored; the service validates the
    rest and its errors land on the row they name ("lines.2.quantity")."""

    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        help_text=_("Empty: the company's."),
        widget=forms.TextInput(attrs={"size": 3}),
    )
    price_list = forms.ChoiceField(label=_("Price list"), required=False)
    coupon = forms.CharField(label=_("Coupon"), max_length=40, required=False)

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
        products = Product.objects.filter(active=True).order_by("name")
        for n in range(ORDER_LINES):
            self.fields[f"product_{n}"] = forms.ModelChoiceField(
                label=_("Product (line %(n)s)") % {"n": n + 1},
                queryset=products,
                required=False,
            )
            self.fields[f"quantity_{n}"] = forms.CharField(
                label=_("Quantity (line %(n)s)") % {"n": n + 1},
                max_length=20,
                required=False,
                initial="1",
            )
        self.style()
        self._rows: list[int] = []

    def terms(self) -> list:
        return [self[name] for name in ("currency", "price_list", "coupon")]

    def line_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(n + 1, self[f"product_{n}"], self[f"quantity_{n}"]) for n in range(ORDER_LINES)]

    def lines(self) -> list[dict]:
        """The filled rows as the service takes them (their row numbers kept for errors)."""
        chosen = []
        self._rows = []
        for n in range(ORDER_LINES):
            product = self.cleaned_data.get(f"product_{n}")
            if product is None:
                continue
            self._rows.append(n)
            quantity = (self.cleaned_data.get(f"quantity_{n}") or "").strip() or "1"
            chosen.append({"product_id": product.pk, "quantity": quantity})
        return chosen

    def add_domain_error(self, error) -> None:
        """ "lines.K.quantity" is the K-th filled row's quantity; "lines" the first row."""
        field = error.field or ""
        if field == "lines":
            self.add_error("product_0", str(error.message))
            return
        if field.startswith("lines."):
            _lines, index, *rest = field.split(".")
            if index.isdigit() and int(index) < len(self._rows):
                row = self._rows[int(index)]
                name = "quantity" if rest and rest[0] == "quantity" else "product"
                self.add_error(f"{name}_{row}", str(error.message))
                return
        super().add_domain_error(error)
