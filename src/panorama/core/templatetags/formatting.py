"""Money, numbers, phones and durations as the reader expects them in his language.

Load with ``{% load formatting %}``. Every app's templates use these, so a figure looks
the same on every screen: ``18,50 €`` in Spanish, ``€18.50`` in English.
"""

from decimal import Decimal, InvalidOperation

import phonenumbers
from babel.numbers import format_currency, format_decimal, format_percent
from django import template
from django.conf import settings
from django.utils.translation import get_language, gettext, to_locale

register = template.Library()


def _locale() -> str:
    return to_locale(get_language() or settings.LANGUAGE_CODE)


@register.filter
def money(amount: object, currency: str = "EUR") -> str:
    """``Decimal("18.5"), "EUR"`` → ``18,50 €`` (es) / ``€18.50`` (en); empty stays empty."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    return format_currency(value, (currency or "EUR").upper(), locale=_locale())


@register.filter
def number(value: object) -> str:
    """A number grouped and with the decimal mark of the reader's language."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    try:
        return format_decimal(Decimal(str(value)), locale=_locale())
    except (InvalidOperation, ValueError):
        return str(value)


@register.filter
def percent(value: object) -> str:
    """A share given in percent (95.3) as the reader's language writes it ("95,3 %" in
    Spanish); "—" when there is nothing to divide."""
    if value is None or value == "":
        return "—"
    try:
        share = Decimal(str(value)) / 100
    except (InvalidOperation, ValueError):
        return str(value)
    return format_percent(share, format="#,##0.0%", locale=_locale())


@register.filter
def phone(value: str) -> str:
    """An E.164 number in the national format of the default region (``600 11 22 33``),
    in international format for numbers of other countries; anything else unchanged."""
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, settings.PANORAMA_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return value
    region = phonenumbers.region_code_for_number(parsed)
    kind = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == settings.PANORAMA_DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, kind)


@register.filter
def duration(seconds: object) -> str:
    """``1787`` → ``29 min 47 s``; ``3720`` → ``1 h 2 min``; ``0`` or empty → empty."""
    try:
        total = int(seconds)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    if total <= 0:
        return ""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        text = gettext("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
        return text if minutes else gettext("%(h)d h") % {"h": hours}
    if minutes:
        text = gettext("%(m)d min %(s)d s") % {"m": minutes, "s": secs}
        return text if secs else gettext("%(m)d min") % {"m": minutes}
    return gettext("%(s)d s") % {"s": secs}
