"""Exchange rates and conversions between currencies, through the company currency.

``convert(amount, currency=, to=, on=)`` is what other apps call (opportunities sum their
amounts in the company currency with it). A batch (a quote, the pricing of many lines)
loads the rates it needs once with ``RateBook.load`` and converts without queries.
"""

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import list_currencies
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed

from ..models import ExchangeRate

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 15
_KNOWN = frozenset(list_currencies())


def company_currency() -> str:
    return settings.PANORAMA_COMPANY_CURRENCY


def cents(amount: Decimal) -> Decimal:
    """Rounded to cents, half away from zero (as invoices round)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def currency_clean(value: object, *, field: str = "currency") -> str:
    """An ISO 4217 code, upper-cased, or ValidationFailed naming ``field``."""
    code = str(value or "").strip().upper()
    if code not in _KNOWN:
        raise ValidationFailed(
            _("%(code)s is not a currency code (ISO 4217, e.g. EUR, USD).")
            % {"code": str(value or "")[:10] or "—"},
            field=field,
        )
    return code


class RateBook:
    """The rates of some currencies on one day, read in one query."""

    def __init__(self, on: datetime.date, rates: dict[str, Decimal]):
        self.on = on
        self.rates = {company_currency(): Decimal(1), **rates}

    @classmethod
    def load(cls, currencies: Iterable[str], on: datetime.date | None = None) -> "RateBook":
        on = on or timezone.localdate()
        wanted = {c for c in currencies if c and c != company_currency()}
        rates: dict[str, Decimal] = {}
        if wanted:
            rows = (
                ExchangeRate.objects.filter(currency__in=wanted, valid_from__lte=on)
                .order_by("currency", "-valid_from")
                .values_list("currency", "rate")
            )
            for currency, rate in rows:
                rates.setdefault(currency, rate)  # the newest per currency comes first
        return cls(on, rates)

    def rate(self, currency: str, *, field: str = "currency") -> Decimal:
        """Units of the company currency one unit of ``currency`` is worth."""
        try:
            return self.rates[currency]
        except KeyError:
            raise ValidationFailed(
                _("There is no exchange rate for %(currency)s on %(date)s.")
                % {"currency": currency, "date": date_format(self.on, "SHORT_DATE_FORMAT")},
                field=field,
            ) from None

    def convert(
        self, amount: Decimal, *, currency: str, to: str, field: str = "currency"
    ) -> Decimal:
        """``amount`` in ``currency`` expressed in ``to`` (unrounded)."""
        if currency == to:
            return amount
        in_company = amount * self.rate(currency, field=field)
        return in_company / self.rate(to, field=field)


def rate(currency: str, *, on: datetime.date | None = None) -> Decimal:
    """Units of the company currency one unit of ``currency`` is worth on ``on`` (today)."""
    code = currency_clean(currency)
    return RateBook.load([code], on).rate(code)


def convert(
    amount: Decimal | int | str,
    *,
    currency: str,
    to: str | None = None,
    on: datetime.date | None = None,
) -> Decimal:
    """``amount`` in ``currency`` converted to ``to`` (default: the company currency) with
    the rates valid on ``on`` (default: today), rounded to cents.

    Raises ``ValidationFailed(field="currency")`` naming the currency when either side
    has no rate on that day (or is no currency code at all).
    """
    source = currency_clean(currency)
    target = currency_clean(to, field="currency") if to else company_currency()
    try:
        value = Decimal(str(amount))
    except ArithmeticError:
        value = Decimal("NaN")
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        raise ValidationFailed(_("Give an amount below a thousand billion."), field="amount")
    if source == target:
        return cents(value)
    book = RateBook.load([source, target], on)
    return cents(book.convert(value, currency=source, to=target))


def exchange_rates(*, currency: str = "") -> list[ExchangeRate]:
    """Every rate set, by currency and newest first (of one ``currency`` if given)."""
    qs = ExchangeRate.objects.order_by("currency", "-valid_from")
    if currency:
        qs = qs.filter(currency=currency_clean(currency))
    return list(qs)


class CurrencyRates:
    """One currency's rates: the one in force on a day (``current``) and all of them."""

    def __init__(self, currency: str, history: list[ExchangeRate], on: datetime.date):
        self.currency = currency
        self.history = history  # newest first
        self.current = next((r for r in history if r.valid_from <= on), None)


def rates_by_currency(on: datetime.date | None = None) -> list[CurrencyRates]:
    """The rates of every currency that has one, grouped (one query)."""
    on = on or timezone.localdate()
    grouped: dict[str, list[ExchangeRate]] = {}
    for row in exchange_rates():
        grouped.setdefault(row.currency, []).append(row)
    return [CurrencyRates(code, rows, on) for code, rows in grouped.items()]
