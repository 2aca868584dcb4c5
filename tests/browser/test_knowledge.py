"""The knowledge base in a real browser: a visitor searches the public help centre on a
phone and says an article helped; an agent writes an article with its preview,
publishes it, edits it, restores the first version, and inserts its link in a reply."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.service.models import Article
from panorama.service.services.case import case_open
from panorama.service.services.knowledge import article_create, article_publish, category_save
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]


def _published(title, body, **kw):
    article = article_create(by=None, title=title, body=body, **kw)
    return article_publish(by=None, article_id=article.pk)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE], ids=["wide", "phone"])
def test_a_visitor_searches_the_help_centre_and_says_it_helped(page, live_server, viewport):
    billing = category_save(by=None, slug="billing", name_en="Billing", name_es="Facturación")
    invoice = _published(
        "How to download your invoice",
        "Your **invoice** is in the Customer area.\n\n| Month | Link |\n|---|---|\n"
        "| January | Download the PDF from the Customer area, Invoices page |",
        language="en",
        visibility="public",
        category_id=billing.pk,
    )
    _published("Invoice procedure for agents", "Internal invoice steps.", language="en")
    page.set_viewport_size(viewport)

    page.goto(f"{live_server.url}/help/?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Help centre")
    page.get_by_label("Search the help centre").fill('invoice "OR')
    page.get_by_role("button", name="Search").click()
    results = page.locator("#help-results li")
    expect(results).to_have_count(1)
    expect(results.locator("mark").first).to_have_text("invoice")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert _violations(page) == []

    results.get_by_role("link", name=invoice.title).click()
    expect(page.locator("#help-article-title")).to_have_text(invoice.title)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert _violations(page) == []
    page.get_by_role("button", name="Yes").click()
    expect(page.locator("#kb-feedback-thanks")).to_have_text("Thank you for your answer.")
    invoice.refresh_from_db()
    assert (invoice.helpful_count, invoice.not_helpful_count) == (1, 0)

    page.reload()  # one answer per visitor: the buttons do not come back
    expect(page.locator("#kb-feedback-thanks")).to_be_visible()
    expect(page.get_by_role("button", name="Yes")).to_have_count(0)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE], ids=["wide", "phone"])
def test_an_agent_writes_publishes_edits_restores_and_links_an_article(
    page, sign_in, live_server, viewport
):
    UserFactory(username="agent", first_name="Elena", last_name="Martín", role=Role.SERVICE_AGENT)
    case = case_open(by=None, customer_id=CustomerFactory().pk, subject="El router no enciende")
    page.set_viewport_size(viewport)
    sign_in("agent")

    page.goto(f"{live_server.url}/service/kb/new/")
    page.get_by_label("Title").fill("El router no enciende")
    page.get_by_label("Text").fill("Compruebe el **cable** del router.")
    page.get_by_label("Visibility").select_option("public")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#kb-preview strong")).to_have_text("cable")
    assert Article.objects.count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert _violations(page) == []
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#kb-status")).to_have_text("Draft")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#kb-status")).to_have_text("Published")
    expect(page.locator("#kb-body strong")).to_have_text("cable")

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Text").fill("Desenchufe el router 30 segundos.")
    page.get_by_label("Change note").fill("Nuevo paso")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#kb-body")).to_contain_text("Desenchufe el router 30 segundos.")
    page.get_by_role("link", name="Version history").click()
    expect(page.locator("#kb-versions tbody tr")).to_have_count(2)
    assert _violations(page) == []
    page.get_by_role("button", name="Restore version 1").click()
    expect(page.locator("#kb-body strong")).to_have_text("cable")

    page.goto(f"{live_server.url}/service/kb/?q=router")
    expect(page.get_by_role("link", name="El router no enciende")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert _violations(page) == []

    page.goto(f"{live_server.url}/service/cases/{case.pk}/")
    suggestions = page.locator("#kb-suggestions")
    expect(suggestions.get_by_role("link", name="El router no enciende")).to_be_visible()
    suggestions.get_by_role("button", name="Insert link in reply").click()
    article = Article.objects.get()
    expect(page.get_by_label("Message")).to_have_value(
        f"El router no enciende: {live_server.url}/help/{article.slug}/"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
