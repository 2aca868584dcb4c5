"""The channel adapters in a real browser, wide and on a phone (375 px), light theme,
with axe: an agent answers a customer's e-mail from the ficha (a real SMTP server on
loopback receives it), opens the fax on her timeline with its preview and opens a case
from it, and logs her visit at a branch with her card."""

import io

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import expect

from panorama.channels.fax.services import fax_receive
from panorama.channels.mail.importer import mail_import
from panorama.channels.models import Branch, Interaction, SendingIdentity
from tests.browser.checks import sideways, violations
from tests.channels.conftest import make_mail
from tests.factories import AdminFactory, CustomerFactory, IdentityFactory, QueueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pdf() -> bytes:
    document = pdfium.PdfDocument.new()
    document.new_page(595, 842)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _check(page, width):
    assert violations(page) == []
    assert sideways(page) == "", page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 800}, {"width": 375, "height": 812}],
    ids=["wide", "phone"],
)
def test_an_agent_answers_mail_opens_a_case_from_a_fax_and_logs_a_visit(
    page, sign_in, live_server, smtp, viewport
):
    AdminFactory(username="boss")
    QueueFactory(name="Atención")
    ana = CustomerFactory(first_name="Ana", last_name="García", display_name="Ana García")
    IdentityFactory(customer=ana, kind="email", value="ana@example.com")
    IdentityFactory(customer=ana, kind="phone", value="+34911222333")
    IdentityFactory(customer=ana, kind="loyalty_card", value="4000123412341234")
    SendingIdentity.objects.create(
        name="Soporte", from_address="soporte@bank.example", display_name="Banco"
    )
    Branch.objects.create(code="MAD01", name="Madrid Sol")
    mail_import(raw=make_mail(subject="Mi tarjeta no funciona"))
    fax = fax_receive(by=None, number="+34911222333", content=_pdf())
    width = viewport["width"]
    page.set_viewport_size(viewport)
    sign_in("boss")

    page.goto(f"{live_server.url}/customers/{ana.pk}/")
    expect(page.get_by_alt_text("First page of the fax")).to_be_visible()
    page.get_by_role("link", name="Reply").click()
    expect(page.get_by_role("heading", name="Reply by e-mail")).to_be_visible()
    _check(page, width)
    page.get_by_label("Text").fill("La revisamos hoy mismo.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("E-mail sent to Ana García.")).to_be_visible()
    assert len(smtp.messages) == 1
    assert b"In-Reply-To" in smtp.messages[0][1]

    page.goto(f"{live_server.url}/channels/faxes/{fax.pk}/")
    expect(page.get_by_alt_text("First page of the fax")).to_be_visible()
    _check(page, width)
    page.get_by_label("Case subject").fill("Cambio de domicilio por fax")
    page.get_by_role("button", name="Open a case").click()
    expect(page.get_by_text("opened.")).to_be_visible()

    page.goto(f"{live_server.url}/channels/visits/new/")
    _check(page, width)
    page.get_by_label("Branch").select_option(label="Madrid Sol (MAD01)")
    page.get_by_label("Identified by").select_option("card")
    page.get_by_label("Document, card number or PIN").fill("4000 1234 1234 1234")
    page.get_by_role("button", name="Log the visit").click()
    expect(page.get_by_text("Visit logged for Ana García.")).to_be_visible()
    assert Interaction.objects.filter(customer=ana, channel="in_person").count() == 1

    page.goto(f"{live_server.url}/channels/numbers/unknown/")
    _check(page, width)
    page.goto(f"{live_server.url}/channels/faxes/new/")
    _check(page, width)
