"""The failed messages page in a real browser, wide and on a phone (375 px), with axe: a
refused e-mail is on the customer's timeline as failed with the server's reason, listed
on the page, and sent again with the list's Retry once the server takes it."""

import pytest
from playwright.sync_api import expect

from panorama.channels.models import SendingIdentity
from panorama.channels.outbound.services import mail_send
from panorama.core.exceptions import ValidationFailed
from tests.browser.checks import sideways, violations
from tests.factories import AdminFactory, CustomerFactory, IdentityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page, width):
    assert violations(page) == []
    assert sideways(page) == "", page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 800}, {"width": 375, "height": 812}],
    ids=["wide", "phone"],
)
def test_a_refused_email_is_shown_failed_and_sent_again(page, sign_in, live_server, smtp, viewport):
    boss = AdminFactory(username="boss")
    ana = CustomerFactory(first_name="Ana", last_name="García", display_name="Ana García")
    IdentityFactory(customer=ana, kind="email", value="ana@refused.example")
    identity = SendingIdentity.objects.create(name="Soporte", from_address="soporte@bank.example")
    smtp.refused_domain = "refused.example"
    with pytest.raises(ValidationFailed):
        mail_send(
            by=boss, customer_id=ana.pk, identity_id=identity.pk, subject="Su hipoteca", body="Hola"
        )
    width = viewport["width"]
    page.set_viewport_size(viewport)
    sign_in("boss")

    page.goto(f"{live_server.url}/customers/{ana.pk}/")
    entry = page.locator(".timeline-entry", has_text="Su hipoteca")
    expect(entry).to_contain_text("No such user here")
    expect(entry.get_by_role("button", name="Retry Su hipoteca")).to_be_visible()
    _check(page, width)

    page.goto(f"{live_server.url}/channels/failed/")
    expect(page.get_by_role("heading", name="Failed messages")).to_be_visible()
    expect(page.locator("#failed-messages-list")).to_contain_text("No such user here")
    _check(page, width)
    smtp.refused_domain = ""
    bar = page.get_by_role("form", name="Bulk actions")
    page.get_by_role("checkbox", name="Select Su hipoteca").check()
    bar.get_by_label("Action").select_option(label="Retry")
    bar.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status").filter(has_text="Retry")).to_contain_text("1 row changed")
    assert [m.rcpt_tos for m in smtp.messages] == [["ana@refused.example"]]
    _check(page, width)
