# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""The quote's PDF, rendered for real by WeasyPrint and read back with pypdf: the
company, the lines with their explanations, totals and taxes, page numbers, the
financing schedule, in the customer's language."""

import io

import pytest
from pypdf import PdfReader

from panorama.sales.pdf import quote_pdf
from panorama.sales.services.quote import LineData, quote_create

from .quote_world import buyer, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_spanish_quote_with_totals_taxes_and_page_numbers(rep, buyer, world, settings):
    settings.PANORAMA_COMPANY_NAME = "Telecomunicaciones Norte SA"
    quote = quote_create(
        by=rep,
        customer_id=buyer.pk,
        lines=[LineData(product_id=world["router"].pk, quantity=2)],
    )
    pages = _pages(quote_pdf(quote))
    text = "\n".join(pages)
    assert "Telecomunicaciones Norte SA" in text
    assert f"Presupuesto {quote.reference}" in text
    assert "Lucía Gómez" in text
    # 2 × 100 − 10 % = 180,00 €; IVA 37,80 €; total 217,80 €.
    assert "180,00" in text and "37,80" in text and "217,80" in text
    assert "IVA 21 %" in text
    assert "Precio de tarifa de Router" in text  # the explanation, in Spanish
    assert "Página 1 de 1" in pages[0]


def test_an_english_quote_with_a_financing_schedule_over_several_pages(rep, buyer, world):
    lines = [
        LineData(product_id=world["pack"].pk, options=["fibra1g", "movil_basico"])
        for _ in range(12)
    ]
    quote = quote_create(
        by=rep,
        customer_id=buyer.pk,
        language="en",
        financing_plan_id=world["plan"].pk,
        lines=lines,
    )
    pages = _pages(quote_pdf(quote))
    text = "\n".join(pages)
    assert len(pages) >= 2
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert f"Quote {quote.reference}" in text
    assert "List price of Pack Empresa Fibra" in text
    assert "Options: Fibra 1 Gb, Móvil básico, Instalación" in text  # names, not codes
    assert "Financing: 12 meses, 12 monthly instalments" in text
    assert "Presupuesto" not in text
    total = f"€{quote.total:,.2f}"
    assert total in text
