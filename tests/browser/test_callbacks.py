"""The agents' callbacks list and a callback's page in a real browser, wide and on a
phone (375 px), with axe: the list shows the request, the agent calls back and marks
it done."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.service.models import CallbackRequest
from panorama.service.services.callback import callback_request_create
from tests.factories import QueueFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 800}, {"width": 375, "height": 812}],
    ids=["wide", "phone"],
)
def test_the_agent_works_his_callbacks(page, sign_in, live_server, viewport):
    agent = UserFactory(username="agent", first_name="Elena", role=Role.SERVICE_AGENT)
    queue = QueueFactory(name="Atención")
    queue.memberships.create(user=agent)
    callback = callback_request_create(
        by=None,
        source="webform",
        phone="611 22 33 44",
        name="Pedro Sanz",
        reason="Factura",
        queue_id=queue.pk,
    )
    page.set_viewport_size(viewport)
    sign_in("agent")
    page.goto(f"{live_server.url}/service/callbacks/?owner=me")
    expect(page.get_by_text("Pedro Sanz")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    violations = Axe().run(page).response["violations"]
    assert [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in violations] == []
    page.locator(f"a[href='/service/callbacks/{callback.pk}/']").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pedro Sanz")
    page.get_by_label("Outcome").fill("Resuelto por teléfono")
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_role("status").first).to_contain_text("Callback marked done.")
    assert CallbackRequest.objects.get().status == "done"
