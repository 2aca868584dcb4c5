"""A dashboard as a PDF, rendered by WeasyPrint (as the quotes are) in the reader's
language: each widget's figures as a table, and its chart drawn on the server as a
small SVG (bars, or a line; a doughnut is drawn as bars), so the PDF carries no script.
Scoped like the page: the same ``selectors.dashboard_data`` reads the rows."""

from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from panorama.accounts.models import User
from panorama.core.templatetags.formatting import money, number

from . import dashboards, selectors, status
from .selectors import Filters, WidgetData

# The dashboard's colours (dashboards.js reads the same ones from the theme).
COLOURS = ("#3b5bdb", "#b45309", "#15803d", "#b91c1c", "#0369a1", "#52525b")
WIDTH, HEIGHT = 520, 190
LEFT, BOTTOM, TOP = 56, 42, 10
MAX_LABELS = 24  # bars or points drawn; the table below always has every row


def _float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _label(value) -> str:
    text = value.isoformat() if isinstance(value, date) else str(value)
    return text if len(text) <= 14 else text[:13] + "…"


def chart_svg(data: WidgetData) -> SafeString:
    """The widget's rows as an SVG chart: grouped bars (bar, doughnut) or lines, with the
    largest value on the axis and a legend. Every text is escaped."""
    rows = data.rows[:MAX_LABELS]
    names = data.columns[1:]
    values = [[_float(v) for v in row[1:]] for row in rows]
    top = max([v for row in values for v in row] + [0.0]) or 1.0
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    base = TOP + plot_h
    title = escape(str(data.widget.title), {'"': "&quot;"})
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT + 16}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT + 16}" role="img" aria-label="{title}">',
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - 8}" y2="{base}" stroke="#888"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="#888"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end" font-size="8">'
        f"{escape(number(round(top, 2)))}</text>",
        f'<text x="{LEFT - 4}" y="{base}" text-anchor="end" font-size="8">0</text>',
    ]
    slot = plot_w / max(len(rows), 1)
    line = data.widget.chart == "line"
    for s in range(len(names)):
        colour = COLOURS[s % len(COLOURS)]
        if line:
            points = " ".join(
                f"{LEFT + slot * (i + 0.5):.1f},{base - plot_h * row[s] / top:.1f}"
                for i, row in enumerate(values)
            )
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
            )
            continue
        bar = slot * 0.8 / max(len(names), 1)
        for i, row in enumerate(values):
            h = plot_h * max(row[s], 0.0) / top
            x = LEFT + slot * i + slot * 0.1 + bar * s
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{max(bar - 0.5, 0.5):.1f}" '
                f'height="{h:.1f}" fill="{colour}"/>'
            )
    step = max(1, len(rows) // 8)  # at most about eight labels under the axis
    for i, labelled in enumerate(rows):
        if i % step == 0:
            parts.append(
                f'<text x="{LEFT + slot * (i + 0.5):.1f}" y="{base + 11}" text-anchor="middle" '
                f'font-size="7">{escape(_label(labelled[0]))}</text>'
            )
    x = LEFT
    for s, name in enumerate(names):
        colour = COLOURS[s % len(COLOURS)]
        parts.append(
            f'<rect x="{x}" y="{HEIGHT + 4}" width="8" height="8" fill="{colour}"/>'
            f'<text x="{x + 11}" y="{HEIGHT + 11}" font-size="8">{escape(str(name))}</text>'
        )
        x += 16 + 5 * len(str(name))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built here, every text escaped


@dataclass
class PdfWidget:
    data: WidgetData
    rows: list[list[str]]  # formatted cells, the label first
    svg: SafeString | None


def _cells(data: WidgetData) -> list[list[str]]:
    """Each row formatted for the reader: money and numbers in his locale."""
    table = data.widget.chart == "table"
    out = []
    for row in data.rows:
        label, values = (row[1], row[2:]) if table else (row[0], row[1:])
        cells = [_label(label) if isinstance(label, date) else str(label)]
        for position, value in enumerate(values, start=1):
            if value is None:
                cells.append("—")
            elif isinstance(value, date):
                cells.append(value.isoformat())
            elif position in data.widget.money:
                cells.append(money(value, settings.PANORAMA_COMPANY_CURRENCY))
            else:
                cells.append(number(value))
        out.append(cells)
    return out


def dashboard_pdf_html(*, user: User, department: str, filters: Filters) -> str:
    widgets = selectors.dashboard_data(user=user, department=department, filters=filters)
    team = next((t for t in selectors.teams_for_filter(user) if t.pk == filters.team_id), None)
    return render_to_string(
        "analytics/warehouse/pdf.html",
        {
            "department": dashboards.department_get(department),
            "widgets": [
                PdfWidget(
                    w,
                    _cells(w),
                    chart_svg(w) if w.rows and w.widget.chart != "table" else None,
                )
                for w in widgets
            ],
            "filters": filters,
            "team": team,
            "user": user,
            "now": timezone.localtime(),
            "finished": status.moment(status.read().get("finished_at")),
            "company": settings.PANORAMA_COMPANY_NAME,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        },
    )


def dashboard_pdf(*, user: User, department: str, filters: Filters) -> bytes:
    """The dashboard ``user`` sees (his scope, the filters) as PDF bytes."""
    from weasyprint import HTML  # heavy: only when a PDF is asked for
    from weasyprint.urls import URLFetcher

    html = dashboard_pdf_html(user=user, department=department, filters=filters)
    # Nothing to fetch: the charts are inline SVG; never let a PDF reach the network.
    fetcher = URLFetcher(allowed_protocols={"file"})
    return HTML(string=html, base_url="/", url_fetcher=fetcher).write_pdf()
