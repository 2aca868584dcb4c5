"""A dashboard exported as PDF: the figures the user may see, in his language and
number formats, charts drawn on the server, no script."""

import io

from django.urls import reverse
from pypdf import PdfReader

from panorama.analytics.warehouse import dashboards, load, pdf
from panorama.analytics.warehouse.selectors import WidgetData
from tests.factories import UserFactory


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_rep_prints_his_customers_figures_in_spanish(shop, client):
    load.warehouse_build()
    shop["bruno"].language = "es"
    shop["bruno"].save()
    client.force_login(shop["bruno"])  # Pedro's rep: a quote of 50, nothing of Laura's

    response = client.get(reverse("analytics:warehouse:pdf", args=["salesadmin"]))

    text = pdf_text(response)
    assert "Ofertas por cliente" in text  # the widget's title, translated
    assert "Pedro" in text and "50,00" in text  # money in the Spanish format
    assert "Laura" not in text and "99,00" not in text
    assert b"/JavaScript" not in response.content and b"/JS" not in response.content
    assert 'filename="dashboard-salesadmin.pdf"' in response["Content-Disposition"]


def test_an_analyst_prints_charts_and_tables_of_every_widget(shop, client):
    load.warehouse_build()
    analyst = UserFactory(username="dora", role="analyst", language="en")
    client.force_login(analyst)
    page = client.get(reverse("analytics:warehouse:dashboard", args=["commercial"]))
    pdf_url = reverse("analytics:warehouse:pdf", args=["commercial"])
    assert pdf_url in page.content.decode()  # the button on the dashboard

    response = client.get(pdf_url, {"months": "3"})

    text = pdf_text(response)
    for title in ("Revenue per month", "Open pipeline per stage", "Contacts per channel"):
        assert title in text
    assert "Last 3 months" in text
    # Laura's two orders (55 + 255) fall in this month or the last; Pedro's 200 too.
    assert "Negotiate" in text and "1,000" in text  # the pipeline's stage and amount
    assert "phone" in text  # the channel of the six interactions


def test_a_role_without_the_dashboard_gets_no_pdf(shop, client):
    load.warehouse_build()
    client.force_login(shop["ana"])
    assert client.get(reverse("analytics:warehouse:pdf", args=["finance"])).status_code == 403
    assert client.get(reverse("analytics:warehouse:pdf", args=["nothing"])).status_code == 404


def test_the_charts_are_svg_drawn_on_the_server_with_every_label_escaped():
    widget = dashboards.widget_get("marketing", "web_pages")
    data = WidgetData(
        widget,
        ["Page", "Events", "Of identified customers"],
        [("/<script>alert(1)</script>", 30, 10), ("/mortgage", 12, 12)],
    )
    svg = str(pdf.chart_svg(data))
    assert svg.startswith("<svg") and "<script>" not in svg and "&lt;script&gt;" in svg
    # Two bars per page (events, identified) plus two legend squares.
    assert svg.count("<rect") == 6
    bars = [part for part in svg.split("<rect")[1:5]]
    heights = [float(b.split('height="')[1].split('"')[0]) for b in bars]
    assert heights[0] == max(heights)  # 30 events: the tallest bar

    line = WidgetData(dashboards.widget_get("service", "csat"), ["Month", "Score"], [])
    line.rows = [("2026-01", 4), ("2026-02", 5)]
    assert "<polyline" in str(pdf.chart_svg(line))
