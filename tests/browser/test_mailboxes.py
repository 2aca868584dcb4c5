"""Inbound e-mail in a real browser, wide and on a phone (375 px), with axe: an
administrator adds a mailbox of a real IMAP server (Dovecot), syncs it, reads the
ledger, and turns an unknown sender into a customer whose timeline has the message."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from panorama.channels.mail import dovecot
from tests.channels.conftest import AGENT, PASSWORD, make_mail
from tests.factories import AdminFactory, CustomerFactory, IdentityFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not dovecot.available(), reason="dovecot-imapd not installed"),
]


def _no_violations(page):
    violations = Axe().run(page).response["violations"]
    assert [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in violations] == []


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 800}, {"width": 375, "height": 812}],
    ids=["wide", "phone"],
)
def test_an_admin_connects_a_mailbox_and_links_an_unknown_sender(
    page, sign_in, live_server, viewport
):
    AdminFactory(username="boss")
    ana = CustomerFactory(first_name="Ana", last_name="García")
    IdentityFactory(customer=ana, kind="email", value="ana@example.com")
    with dovecot.Dovecot(users={AGENT: PASSWORD}) as server:
        server.append(
            AGENT,
            make_mail(subject="Mi tarjeta no funciona"),
            make_mail(sender="pedro@example.net", subject="Quiero abrir una cuenta"),
        )
        page.set_viewport_size(viewport)
        sign_in("boss")
        page.goto(f"{live_server.url}/channels/mailboxes/")
        expect(page.get_by_text("No mailbox yet")).to_be_visible()
        page.get_by_role("link", name="Add a mailbox").first.click()
        page.locator("#id_name").fill("Soporte")
        page.locator("#id_address").fill(AGENT)
        page.locator("#id_host").fill("127.0.0.1")
        page.locator("#id_port").fill(str(server.port))
        page.get_by_label("SSL/TLS", exact=True).uncheck()
        page.locator("#id_username").fill(AGENT)
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Mailbox Soporte saved.")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        _no_violations(page)

        page.get_by_role("button", name="Test connection Soporte").click()
        expect(page.get_by_text("Connected: the folder holds 2 messages.")).to_be_visible()
        page.get_by_role("button", name="Sync now Soporte").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Ledger of Soporte")
        table = page.get_by_role("table")
        expect(table.get_by_text("Mi tarjeta no funciona")).to_be_visible()
        expect(table.get_by_text("Unknown sender", exact=True)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        _no_violations(page)

    page.goto(f"{live_server.url}/channels/mail/unknown/")
    page.get_by_role("link", name="pedro@example.net").click()
    page.locator("#id_first_name").fill("Pedro")
    page.locator("#id_last_name").fill("Sanz")
    page.get_by_role("button", name="Create and link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pedro Sanz")
    expect(page.get_by_text("Quiero abrir una cuenta").first).to_be_visible()
