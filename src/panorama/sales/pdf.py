"""The quote as a PDF, rendered by WeasyPrint from an HTML template in the quote's
language: company name and logo from settings, the lines with the explanation of each
price, totals and taxes per rate, the financing schedule when a plan is chosen and
page numbers from CSS ``@page`` counters. Nothing is fetched from the network: the
logo is a static file read from disk."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from panorama.catalog.services.financing import financing_schedule
from panorama.core.exceptions import DomainError

from .models import Quote
from .selectors.quotes import with_option_names


def _logo_uri() -> str:
    found = finders.find(settings.PANORAMA_COMPANY_LOGO) if settings.PANORAMA_COMPANY_LOGO else None
    if not found:
        return ""
    return Path(found if isinstance(found, str) else found[0]).resolve().as_uri()


def quote_pdf_html(quote: Quote) -> str:
    schedule = None
    if quote.financing_plan is not None and quote.total > 0:
        try:
            schedule = financing_schedule(
                plan=quote.financing_plan,
                amount=quote.total,
                start=quote.priced_on,
                currency=quote.currency,
            )
        except DomainError:
            schedule = None  # outside the plan's amounts: the PDF goes without it
    with translation.override(quote.language or settings.LANGUAGE_CODE):
        return render_to_string(
            "sales/quotes/pdf.html",
            {
                "quote": quote,
                "lines": with_option_names(list(quote.lines.all())),
                "schedule": schedule,
                "company": settings.PANORAMA_COMPANY_NAME,
                "logo": _logo_uri(),
                "language": quote.language or settings.LANGUAGE_CODE,
            },
        )


def quote_pdf(quote: Quote) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = quote_pdf_html(quote)
    # Local files only (the logo): a quote never makes the server fetch from the network.
    fetcher = URLFetcher(allowed_protocols={"file"})
    document = HTML(string=html, base_url="/", url_fetcher=fetcher)
    return document.write_pdf()
