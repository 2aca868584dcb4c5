"""Numbers as people type them in each language (core.forms.number_typed / DecimalField)."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from panorama.core.forms import DecimalField


class AmountForm(forms.Form):
    amount = DecimalField(decimal_places=2, max_digits=12)


@pytest.mark.parametrize(
    ("language", "typed", "read"),
    [
        ("es", "1.234,56", "1234.56"),
        ("es", "1234,56", "1234.56"),
        ("es", "12.5", "12.5"),  # a lone full stop that groups nothing: the decimal point
        ("es", "1.234", "1234"),  # groups of three: thousands, as a Spaniard writes them
        ("es", "-2.000.000,5", "-2000000.5"),
        ("es", " 7 ", "7"),
        ("en", "1,234.56", "1234.56"),
        ("en", "1234.56", "1234.56"),
        ("en", "-1,000", "-1000"),
    ],
)
def test_read_in_the_language(language, typed, read):
    with translation.override(language):
        form = AmountForm({"amount": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["amount"] == Decimal(read)


@pytest.mark.parametrize(("language", "typed"), [("en", "7,25"), ("es", "1.23.4"), ("en", "abc")])
def test_what_the_language_cannot_read_is_refused(language, typed):
    with translation.override(language):
        form = AmountForm({"amount": typed})
        assert not form.is_valid() and "amount" in form.errors


def test_shown_back_in_the_language_with_the_decimal_keypad():
    with translation.override("es"):
        html = str(AmountForm(initial={"amount": Decimal("1234.5")})["amount"])
    assert 'value="1234,5"' in html and 'inputmode="decimal"' in html and 'type="text"' in html
