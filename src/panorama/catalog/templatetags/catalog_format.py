"""Figures of the catalogue settings: an exchange rate with every digit it was set with
(``number`` keeps three decimals, too few for a rate such as 0.00612345)."""

from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal
from django import template

from panorama.core.templatetags.formatting import _locale

register = template.Library()


@register.filter
def exact_number(value: object) -> str:
    """``Decimal("0.92000000")`` → ``0.92`` (en) / ``0,92`` (es): no digit lost or padded."""
    if value is None or isinstance(value, bool):
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    return format_decimal(number, locale=_locale(), decimal_quantization=False)
