# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""A quote's whole way in a real browser: the rep quotes a customer with a promotion
and a coupon and a discount above the threshold, asks for the approval, the manager
approves it, the rep sends the PDF (a real SMTP server receives it), the customer opens
the link from the e-mail without signing in and accepts, an order exists, and the
customer's ficha tells each step. The quote's page also fits a 375 px phone."""

import email
import re

import pytest
from playwright.sync_api import expect

from panorama.sales.models import Order, Quote
from tests.sales.quote_world import buyer, manager, world  # noqa: F401 (fixtures)

from .conftest import CHROMIUM_ARGS, PASSWORD  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser, live_server, username, viewport=None):
    context = browser.new_context(
        viewport=viewport or {"width": 1280, "height": 800}, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/customers/")
    return context, page


def test_quote_approved_sent_accepted_and_ordered(
    browser, live_server, rep, manager, buyer, world, smtp, settings
):
    settings.PANORAMA_QUOTE_APPROVAL_DISCOUNT = 10
    rep_context, page = _signed_in(browser, live_server, "rep")
    page.goto(f"{live_server.url}/customers/{buyer.pk}/?tab=sales")  # the quotes panel
    page.get_by_role("link", name="New quote").click()
    page.get_by_label("Coupon").fill("bienvenida")
    page.get_by_role("button", name="Create the quote").click()
    expect(page).to_have_url(re.compile(r"/sales/quotes/\d+/$"))
    quote = Quote.objects.get()

    # A configuration that breaks a rule is refused on its field.
    page.get_by_label("Product").select_option(label="Pack Empresa Fibra (PACK-FIBRA)")
    for option in ("Televisión", "Fibra 300 Mb", "Móvil básico"):
        page.locator("#option-picker").get_by_label(option).check()
    page.get_by_role("button", name="Add the line").click()
    expect(page.locator("#quote-line-form")).to_contain_text("Televisión")
    expect(page.locator("#option-picker").get_by_label("Televisión")).to_be_checked()
    assert quote.lines.count() == 0

    page.get_by_label("Product").select_option(label="Router (RT)")
    expect(page.locator("#option-picker")).to_contain_text("This product has no options.")
    page.get_by_label("Quantity").fill("2")
    page.get_by_label("Manual discount (%)").fill("15")
    page.get_by_role("button", name="Add the line").click()
    expect(page.locator("#quote-lines")).to_contain_text("Router")
    page.get_by_text("How this price was made").first.click()
    expect(page.locator(".quote-steps").first).to_contain_text("Otoño")
    expect(page.get_by_role("button", name="Send to the customer")).to_have_count(0)
    page.get_by_label("Why (for the manager)").fill("Cliente estratégico")
    page.get_by_role("button", name="Request approval").click()
    expect(page.locator("#quote-status")).to_contain_text("Pending approval")

    manager_context, boss = _signed_in(browser, live_server, "jefa")
    boss.goto(f"{live_server.url}/sales/quotes/{quote.pk}/")
    boss.get_by_label("Comment").fill("De acuerdo")
    boss.get_by_role("button", name="Approve").click()
    expect(boss.locator("#quote-status")).to_contain_text("Approved")
    manager_context.close()

    page.reload()
    page.get_by_role("button", name="Send to the customer").click()
    expect(page.locator("#quote-status")).to_contain_text("Sent")
    to_customer = [raw for to, raw in smtp.messages if to == ["lucia@example.com"]]
    assert len(to_customer) == 1
    message = email.message_from_bytes(to_customer[0])
    pdf = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert pdf and pdf[0].get_payload(decode=True).startswith(b"%PDF")
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    link = re.search(r"http\S+/sales/quotes/accept/\S+/", body.get_payload(decode=True).decode())[0]
    assert link.startswith(live_server.url)  # an absolute link to this site

    customer_context = browser.new_context(locale="es-ES")
    customer_context.set_default_timeout(15_000)
    customer = customer_context.new_page()
    customer.goto(link)
    expect(customer.get_by_role("heading", name=quote.reference)).to_be_visible()
    customer.get_by_role("button", name="Aceptar este presupuesto").click()
    expect(customer.locator("#accept-done")).to_contain_text("Gracias")
    customer.goto(link)
    expect(customer.get_by_text("ya fue aceptado")).to_be_visible()
    customer_context.close()

    order = Order.objects.get()
    assert order.quote_id == quote.pk and order.status == "confirmed"
    page.goto(f"{live_server.url}/customers/{buyer.pk}/")
    ficha = page.locator("main")
    for step in (
        f"Quote {quote.reference} created",
        f"Quote {quote.reference} needs your approval",
        f"Quote {quote.reference}: discount approved",
        f"Quote {quote.reference} sent to lucia@example.com",
        f"{quote.reference} aceptado por el cliente",
        f"Pedido {order.reference} realizado",
    ):
        expect(ficha).to_contain_text(step)

    rep_context.close()
    phone_context, phone = _signed_in(
        browser, live_server, "rep", viewport={"width": 375, "height": 812}
    )
    phone.goto(f"{live_server.url}/sales/quotes/{quote.pk}/")
    expect(phone.locator("#quote-total")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    # The option picker of a draft, on the phone: it fits, and axe finds nothing.
    from axe_playwright_python.sync_playwright import Axe

    from panorama.sales.services.quote import quote_create

    draft = quote_create(by=rep, customer_id=buyer.pk)
    phone.goto(f"{live_server.url}/sales/quotes/{draft.pk}/")
    phone.get_by_label("Product").select_option(label="Pack Empresa Fibra (PACK-FIBRA)")
    phone.locator("#option-picker").get_by_label("Televisión").check()
    expect(phone.locator("#option-check")).to_contain_text("not valid")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    violations = [v["id"] for v in Axe().run(phone).response["violations"]]
    assert violations == []
    phone_context.close()
