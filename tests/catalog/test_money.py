"""Exchange rates: conversions through the company currency, by date, and the refusal
that names the currency when there is no rate."""

import datetime
from decimal import Decimal

import pytest

from panorama.catalog.selectors import RateBook, convert, rate
from panorama.catalog.services.products import exchange_rate_set
from panorama.core.exceptions import ValidationFailed

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 1)
JUN = datetime.date(2026, 6, 1)


@pytest.fixture
def rates(db):
    exchange_rate_set(by=None, currency="USD", rate="0.90", valid_from=JAN)
    exchange_rate_set(by=None, currency="USD", rate="0.80", valid_from=JUN)
    exchange_rate_set(by=None, currency="GBP", rate="1.20", valid_from=JAN)


def test_an_amount_in_dollars_in_euros_on_a_day(rates):
    assert convert(Decimal("100"), currency="USD", on=datetime.date(2026, 3, 1)) == Decimal("90.00")
    assert convert(Decimal("100"), currency="usd", on=JUN) == Decimal("80.00")
    assert rate("USD", on=datetime.date(2026, 5, 31)) == Decimal("0.9")


def test_between_two_foreign_currencies_it_goes_through_the_company_currency(rates):
    # 120 GBP = 144 EUR = 180 USD at 0.80 (June).
    assert convert(Decimal("120"), currency="GBP", to="USD", on=JUN) == Decimal("180.00")
    # And back from euros: 90 EUR = 100 USD in March.
    assert convert(90, currency="EUR", to="USD", on=datetime.date(2026, 3, 1)) == Decimal("100.00")


def test_the_company_currency_needs_no_rate(db):
    assert convert("12.345", currency="EUR") == Decimal("12.35")


def test_no_rate_names_the_currency(rates):
    with pytest.raises(ValidationFailed, match="no exchange rate for JPY") as refused:
        convert(Decimal("100"), currency="JPY", on=JUN)
    assert refused.value.field == "currency"
    with pytest.raises(ValidationFailed, match="no exchange rate for USD"):
        convert(Decimal("100"), currency="USD", on=datetime.date(2025, 12, 31))


def test_a_code_that_is_no_currency_is_refused(db):
    with pytest.raises(ValidationFailed, match="not a currency code") as refused:
        convert(1, currency="EURO")
    assert refused.value.field == "currency"


def test_a_rate_book_reads_every_rate_in_one_query(rates, django_assert_num_queries):
    with django_assert_num_queries(1):
        book = RateBook.load(["USD", "GBP", "EUR"], JUN)
    assert book.rate("GBP") == Decimal("1.2")
    assert book.convert(Decimal(10), currency="USD", to="EUR") == Decimal("8.00")


def test_setting_a_rate_twice_for_a_day_replaces_it(rates, emitted):
    with emitted() as events:
        exchange_rate_set(by=None, currency="USD", rate="0.85", valid_from=JUN)
    assert rate("USD", on=JUN) == Decimal("0.85")
    assert events[0][0] == "exchange_rate.changed"
    assert events[0][1]["rate"] == "0.85"
