"""An agent's path through a case in a real browser: the queue → the case → a reply
and an internal note → resolved; wide and on a phone (375 px), with axe."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.service.models import Case, QueueMember
from panorama.service.services.case import case_open
from tests.factories import CustomerFactory, QueueFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def case(db):
    agent = UserFactory(
        username="agent", first_name="Elena", last_name="Martín", role=Role.SERVICE_AGENT
    )
    queue = QueueFactory(name="Fibra")
    QueueMember.objects.create(queue=queue, user=agent, skills=["fibre"])
    ana = CustomerFactory(first_name="Ana", last_name="Ruiz")
    return case_open(by=None, customer_id=ana.pk, subject="Sin línea desde ayer", queue_id=queue.pk)


def _violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE], ids=["wide", "phone"])
def test_queue_case_reply_note_resolve(page, sign_in, live_server, case, viewport, screenshots):
    page.set_viewport_size(viewport)
    sign_in("agent")
    page.goto(f"{live_server.url}/service/cases/?owner=me")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert _violations(page) == []
    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sin línea desde ayer")

    page.get_by_label("Message").fill("Estamos revisando la línea.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".case-message-reply")).to_contain_text("Estamos revisando la línea.")
    page.get_by_label("Note").check()
    page.get_by_label("Message").fill("Avería en la central.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".case-message-note")).to_contain_text("Avería en la central.")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert _violations(page) == []

    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#case-status")).to_have_text("Resolved")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    page.screenshot(path=str(screenshots / f"case-{viewport['width']}.png"), full_page=True)
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED and case.first_response_at is not None
