"""A lead's whole way in a real browser: a visitor fills the web form on another site
(its own origin, served here by a plain HTTP server), the snippet's script posts it to
Panorama across origins, the rep finds the lead, qualifies it and converts it, and the
customer's ficha tells where it came from."""

import functools
import http.server
import re
import threading
from urllib.parse import urlparse

import pytest
from django.test import RequestFactory
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.customers.models import Customer
from panorama.sales.models import Lead, WebForm
from panorama.sales.views.webforms import snippet_html
from tests.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def other_site(tmp_path):
    """A web site on another origin (127.0.0.1, another port) that embeds the form."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_web_form_capture_then_qualify_then_convert(
    browser, page, sign_in, live_server, other_site
):
    folder, site = other_site
    team = TeamFactory(name="Inbound")
    UserFactory(username="rep", role=Role.SALES_REP, teams=[team], first_name="Rosa")
    form = WebForm.objects.create(
        name="Contact",
        fields=["first_name", "last_name", "email", "company", "message"],
        required_fields=["last_name", "email"],
        team=team,
        allowed_origins=site,
    )
    server = urlparse(live_server.url)
    request = RequestFactory().get("/", SERVER_NAME=server.hostname, SERVER_PORT=server.port)
    snippet = snippet_html(request, form)
    (folder / "index.html").write_text(
        f"<!doctype html><html lang='es'><head><meta charset='utf-8'><title>Talleres Pérez</title>"
        f"</head><body><h1>Contacto</h1>{snippet}</body></html>",
        encoding="utf-8",
    )

    visitor = browser.new_context(locale="es-ES")
    visitor.set_default_timeout(10_000)
    visit = visitor.new_page()
    visit.goto(f"{site}/index.html")
    assert visit.evaluate("location.origin") != live_server.url
    # A first try with an address the browser lets through and Panorama does not: the
    # server's error shows beside the field, in the visitor's language.
    visit.get_by_label("First name").fill("Eva")
    visit.get_by_label("Last name").fill("Soto")
    visit.get_by_label("E-mail").fill("eva@acme")
    visit.get_by_role("button", name="Send", exact=True).click()
    expect(visit.locator("[data-panorama-error=email]")).to_contain_text(
        "no es una dirección de correo electrónico válida"
    )
    assert not Lead.objects.exists()

    visit.get_by_label("E-mail").fill("eva@acme.es")
    visit.get_by_label("Company").fill("Acme Logística")
    visit.get_by_label("Message").fill("Necesitamos 20 líneas móviles")
    visit.get_by_role("button", name="Send", exact=True).click()
    expect(visit.locator("[data-panorama-message]")).to_contain_text("Gracias")
    visitor.close()
    lead = Lead.objects.get()
    assert (lead.source, lead.team, lead.web_form) == ("web_form", team, form)

    sign_in("rep")
    page.get_by_role("link", name="Leads").click()
    page.get_by_role("link", name="Eva Soto").click()
    expect(page.locator("#lead-status")).to_contain_text("New")
    page.get_by_role("button", name="Qualify", exact=True).click()
    expect(page.locator("#lead-status")).to_contain_text("Qualified")

    page.get_by_role("link", name="Convert", exact=True).click()
    expect(page.get_by_text("a new customer will be created")).to_be_visible()
    page.get_by_role("button", name="Convert", exact=True).click()
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    expect(page.get_by_text("Converted from lead: Eva Soto (Web form)")).to_be_visible()
    customer = Customer.objects.get()
    assert Lead.objects.get().customer == customer and Lead.objects.get().status == "converted"


WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


def test_lead_pages_wide_and_on_a_phone_without_accessibility_violations(
    page, sign_in, live_server, screenshots
):
    from axe_playwright_python.sync_playwright import Axe

    team = TeamFactory(name="Inbound")
    rep = UserFactory(username="rep", role=Role.SALES_REP, teams=[team])
    lead = None
    for n in range(12):
        lead = Lead.objects.create(
            first_name="Eva",
            last_name=f"Soto {n}",
            company="Acme Logística",
            email=f"eva{n}@acme.es",
            owner=rep,
            team=team,
            score=15,
            score_explanation=[{"rule": "Cargo directivo", "points": 10, "why": "Job title"}],
        )
    sign_in("rep")
    for name, viewport in (("wide", WIDE), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        for screen, url in (
            ("list", "/sales/leads/"),
            ("detail", f"/sales/leads/{lead.pk}/"),
            ("convert", f"/sales/leads/{lead.pk}/convert/"),
            ("new", "/sales/leads/new/"),
            ("import", "/sales/leads/import/"),
        ):
            page.goto(f"{live_server.url}{url}")
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (
                name,
                screen,
            )
            violations = [
                f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
                for v in Axe().run(page).response["violations"]
            ]
            assert violations == [], (name, screen)
            page.screenshot(path=str(screenshots / f"leads-{screen}-{name}.png"))
