# ruff: noqa: F811  (the fixtures imported below are parameters)
"""Issue 9's "done when", in one go from a fresh demo (``panorama demo``, a small one):
a visitor fills the demo's web form on another site; the rep it is assigned to
qualifies the lead and converts it into a customer and an opportunity, moves it on the
kanban with the keyboard, gives it a close date, quotes it on the web channel (the "Web"
price list) with the BLACKFRIDAY coupon, a configured fibre pack picked option by option
(a refused combination first) and a router with a discount above the threshold; the
manager approves the discount; the rep sends the PDF (a real SMTP server receives it);
the customer accepts through the link in the e-mail, without signing in; the order
exists; the customer's ficha tells every step; the manager sees the forecast and the
board's totals, equal to the server's."""

import email
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from panorama.accounts.models import User
from panorama.core.templatetags.formatting import money
from panorama.sales import selectors
from panorama.sales.forecast import current_period, forecast_for
from panorama.sales.models import Lead, Opportunity, Order, Quote, WebForm
from panorama.sales.views.webforms import snippet_html
from tests.browser.test_leads import other_site  # noqa: F401 (fixture)

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    """A fresh demo, small (the same command as `make demo`); the rep of the web form's
    team and the sales manager get a password, as an administrator would give them."""
    settings.PANORAMA_QUOTE_APPROVAL_DISCOUNT = 10
    call_command("demo", customers=12, leads=20, verbosity=0, stdout=io.StringIO())
    for username in ("rep.empresas", "manager"):
        user = User.objects.get(username=username)
        user.set_password(PASSWORD)
        user.save()


def _signed_in(browser, live_server, username, locale="en-GB"):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/customers/")
    return context, page


def _column(page, name):
    return page.locator(".pn-kanban-column", has=page.get_by_role("heading", name=name, exact=True))


def _board_matches_the_server(page, user, pipeline):
    """Every column's count and sum on the page are the server's."""
    stages = list(pipeline.stages.order_by("position"))
    totals = selectors.board_totals(
        user=user, pipeline_id=pipeline.pk, stage_ids=[s.pk for s in stages]
    )
    with translation.override("en"):
        for stage in stages:
            count, total = totals.get(stage.pk, (0, Decimal("0.00")))
            column = _column(page, stage.name)
            expect(column.locator(".pn-kanban-count")).to_have_text(str(count))
            expect(column.locator(".pn-kanban-total")).to_have_text(money(total, "EUR"))


def test_from_a_web_form_lead_to_an_order_on_the_ficha(
    browser, live_server, demo, other_site, smtp
):
    # --- A visitor fills the demo's web form, embedded in another site.
    folder, site = other_site
    form = WebForm.objects.get(name="Contacto web")
    form.allowed_origins = site
    form.save(update_fields=["allowed_origins"])
    server = live_server.url.split("//")[1]
    host, port = server.split(":")
    snippet = snippet_html(RequestFactory().get("/", SERVER_NAME=host, SERVER_PORT=port), form)
    (folder / "index.html").write_text(
        f"<!doctype html><html lang='es'><head><meta charset='utf-8'><title>Acme</title></head>"
        f"<body>{snippet}</body></html>",
        encoding="utf-8",
    )
    visitor = browser.new_context(locale="es-ES")
    visit = visitor.new_page()
    visit.goto(f"{site}/index.html")
    visit.get_by_label("First name").fill("Irene")
    visit.get_by_label("Last name").fill("Campos Vidal")
    visit.get_by_label("E-mail").fill("irene@acme-logistica.es")
    visit.get_by_label("Company").fill("Acme Logística")
    visit.get_by_role("button", name="Send", exact=True).click()
    expect(visit.locator("[data-panorama-message]")).to_contain_text("Gracias")
    visitor.close()
    lead = Lead.objects.get(email="irene@acme-logistica.es")
    assert lead.team.name == "Empresas"  # the web form's team, whose rep sees it

    # --- The rep qualifies and converts it, with an opportunity.
    rep_context, page = _signed_in(browser, live_server, "rep.empresas")
    page.goto(f"{live_server.url}/sales/leads/{lead.pk}/")
    page.get_by_role("button", name="Qualify", exact=True).click()
    expect(page.locator("#lead-status")).to_contain_text("Qualified")
    page.get_by_role("link", name="Convert", exact=True).click()
    page.get_by_label("Also open an opportunity").check()
    page.get_by_label("Opportunity name", exact=True).fill("Sede Acme Zaragoza")
    page.get_by_label("Pipeline", exact=True).select_option(label="Nuevo negocio")
    page.get_by_label("Amount", exact=True).fill("1800")
    page.get_by_role("button", name="Convert", exact=True).click()
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    opportunity = Opportunity.objects.get(name="Sede Acme Zaragoza")
    customer = opportunity.customer
    pipeline = opportunity.pipeline
    assert opportunity.stage.name == "Cualificar"

    # --- On the kanban, with the keyboard: Cualificar → Propuesta.
    page.goto(f"{live_server.url}/sales/board/{pipeline.pk}/")
    card = page.locator(".pn-kanban-card", has_text="Sede Acme Zaragoza")
    card.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    expect(page.locator(".pn-kanban-live")).to_contain_text("moved to Propuesta")
    expect(_column(page, "Propuesta").locator(".pn-kanban-card", has_text="Acme")).to_have_count(1)
    assert Opportunity.objects.get(pk=opportunity.pk).stage.name == "Propuesta"
    _board_matches_the_server(page, User.objects.get(username="rep.empresas"), pipeline)

    # --- It closes this month (the forecast counts it), then a quote from it.
    page.goto(f"{live_server.url}/sales/opportunities/{opportunity.pk}/")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Expected close date", exact=True).fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/opportunities/{opportunity.pk}/$"))
    page.get_by_role("link", name="New quote").click()
    page.get_by_label("Channel", exact=True).select_option(label="Web")
    page.get_by_label("Price list", exact=True).select_option(label="Web")
    page.get_by_label("Coupon", exact=True).fill("blackfriday")
    page.get_by_role("button", name="Create the quote").click()
    expect(page).to_have_url(re.compile(r"/sales/quotes/\d+/$"))
    quote = Quote.objects.get(opportunity=opportunity)

    page.locator("#id_product").select_option(label="Router WiFi 6 (RT-WIFI6)")
    expect(page.locator("#option-picker")).to_contain_text(
        "This product has no options."
    )  # the coupon's product first
    page.locator("#id_quantity").fill("3")
    page.locator("#id_manual_discount_percent").fill("12")
    page.get_by_role("button", name="Add the line").click()
    expect(page.locator("#quote-lines")).to_contain_text("Router WiFi 6")
    # The fibre pack, option by option: the picker is the catalogue's, and it says at
    # once what a combination breaks.
    page.locator("#id_product").select_option(label="Pack Empresa Fibra (PACK-FIBRA)")
    picker = page.locator("#option-picker")
    expect(picker).to_contain_text("Velocidad")
    picker.get_by_label("Fibra 300 Mb").check()
    picker.get_by_label("Televisión").check()
    expect(page.locator("#option-check")).to_contain_text("cannot be combined with")
    picker.get_by_label("Televisión").uncheck()
    picker.get_by_label("Fibra 1 Gb").check()
    picker.get_by_label("Fibra 300 Mb").uncheck()
    picker.get_by_label("Móvil ilimitado").check()
    expect(page.locator("#option-check")).to_contain_text("This configuration is valid.")
    page.get_by_role("button", name="Add the line").click()
    expect(page.locator("#quote-lines")).to_contain_text("Pack Empresa Fibra")
    expect(page.locator("#quote-lines")).to_contain_text("Fibra 1 Gb, Móvil ilimitado")

    router = quote.lines.get(sku="RT-WIFI6")
    steps = " ".join(step["text"] for step in router.explanation)
    assert "Web" in steps and "Black Friday" in steps  # the price list and the promotion
    expect(page.get_by_role("button", name="Send to the customer")).to_have_count(0)
    page.get_by_label("Why (for the manager)").fill("Tres sedes")
    page.get_by_role("button", name="Request approval").click()
    expect(page.locator("#quote-status")).to_contain_text("Pending approval")

    # --- The manager approves the discount.
    manager_context, boss = _signed_in(browser, live_server, "manager")
    boss.goto(f"{live_server.url}/sales/quotes/{quote.pk}/")
    boss.get_by_label("Comment", exact=True).fill("Adelante")
    boss.get_by_role("button", name="Approve").click()
    expect(boss.locator("#quote-status")).to_contain_text("Approved")

    # --- The rep sends the PDF; the customer accepts through the e-mailed link.
    page.reload()
    page.get_by_role("button", name="Send to the customer").click()
    expect(page.locator("#quote-status")).to_contain_text("Sent")
    [raw] = [raw for to, raw in smtp.messages if to == ["irene@acme-logistica.es"]]
    message = email.message_from_bytes(raw)
    [pdf] = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert pdf.get_payload(decode=True).startswith(b"%PDF")
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    link = re.search(r"http\S+/sales/quotes/accept/\S+/", body.get_payload(decode=True).decode())[0]
    customer_context = browser.new_context(locale="es-ES")
    accept = customer_context.new_page()
    accept.goto(link)
    accept.locator("#accept-button").click()  # in the quote's language
    expect(accept.locator("#accept-done")).to_be_visible()
    customer_context.close()
    quote.refresh_from_db()
    order = Order.objects.get(quote=quote)
    assert order.customer_id == customer.pk and order.total == quote.total

    # --- Every step on the customer's ficha (the customer's own in his language).
    with translation.override(quote.language):
        accepted = _("Quote %(ref)s accepted by the customer") % {"ref": quote.reference}
        placed = _("Order %(ref)s placed") % {"ref": order.reference}
    page.goto(f"{live_server.url}/customers/{customer.pk}/?tab=history")
    ficha = page.locator("main")
    for step in (
        "Converted from lead: Irene Campos Vidal (Web form)",
        "Opportunity opened: Sede Acme Zaragoza",
        "Opportunity Sede Acme Zaragoza: Cualificar → Propuesta",
        f"Quote {quote.reference} created",
        f"Quote {quote.reference} needs your approval",
        f"Quote {quote.reference}: discount approved",
        f"Quote {quote.reference} sent to irene@acme-logistica.es",
        accepted,
        placed,
    ):
        expect(ficha).to_contain_text(step)
    rep_context.close()

    # --- The manager's forecast and board.
    manager = User.objects.get(username="manager")
    boss.goto(f"{live_server.url}/sales/forecast/")
    table = boss.locator("#forecast-table")
    forecast = forecast_for(user=manager, period=current_period())
    [row] = [r for r in forecast.rows if r.rep and r.rep.username == "rep.empresas"]
    mine = table.locator("tbody tr", has_text="Elena Ruiz Castro")
    with translation.override("en"):
        for _category, computed, _adjustment in row.cells:
            expect(mine).to_contain_text(money(computed, forecast.currency))
    assert any(computed > 0 for _c, computed, _a in row.cells)
    boss.goto(f"{live_server.url}/sales/board/{pipeline.pk}/")
    _board_matches_the_server(boss, manager, pipeline)
    manager_context.close()
