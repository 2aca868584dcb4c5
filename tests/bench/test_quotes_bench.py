"""The bench's quote figures: a 10-line quote priced, its PDF rendered."""

import pytest

from panorama.bench import quotes as bench_quotes
from panorama.sales.models import Quote
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_the_quote_figures(monkeypatch):
    monkeypatch.setattr(bench_quotes, "PRICINGS", 3)
    monkeypatch.setattr(bench_quotes, "PDFS", 1)
    monkeypatch.setattr(bench_quotes, "WARM_UP", 1)
    CustomerFactory()
    out = bench_quotes.measure_all(lambda text: None)
    assert out["quote_price_p50_ms"] > 0 and out["quote_pdf_p50_ms"] > 0
    assert Quote.objects.get().lines.count() == 10
    assert bench_quotes.bench_catalogue().sku == "BENCH-PACK"  # made once
