"""Defects and the service reports in a real browser, on a phone (375 px) with axe: an
agent records the defect a case revealed, the quality staff mark it fixed, the defect
report counts it and the service report shows the period's figures."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.service.models import Defect
from panorama.service.services.case import case_open, case_set_status
from tests.catalog.factories import ProductFactory
from tests.factories import CustomerFactory, QueueFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _no_violations(page):
    violations = Axe().run(page).response["violations"]
    assert [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in violations] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_defect_from_a_case_to_the_reports_on_a_phone(page, sign_in, live_server):
    agent = UserFactory(username="agent", first_name="Elena", role=Role.SERVICE_AGENT)
    router = ProductFactory(name="Router WiFi 6")
    queue = QueueFactory(name="Fibra")
    case = case_open(
        by=agent,
        customer_id=CustomerFactory(first_name="Ana").pk,
        subject="Se reinicia",
        product_id=router.pk,
        queue_id=queue.pk,
    )
    case_set_status(by=agent, case_id=case.pk, status="resolved")
    page.set_viewport_size(PHONE)
    sign_in("agent")
    page.goto(f"{live_server.url}/service/cases/{case.pk}/")
    page.locator("#case-defect-new").click()
    expect(page.get_by_role("status").first).to_contain_text(case.reference)
    page.get_by_label("Title").fill("Se reinicia al calentarse")
    page.get_by_label("Component").fill("Fuente")
    page.get_by_role("button", name="Record defect").click()
    defect = Defect.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(defect.reference)
    expect(page.locator("#defect-case-list")).to_contain_text(case.reference)
    _no_violations(page)
    page.get_by_placeholder("Fixed in version").fill("2.2")
    page.get_by_role("button", name="Mark fixed").click()
    expect(page.locator("#defect-status")).to_have_text("Fixed")
    expect(page.locator("#defect-fixed-in")).to_have_text("2.2")

    page.goto(f"{live_server.url}/service/defects/report/")
    expect(page.locator("#defect-report")).to_contain_text("Router WiFi 6")
    _no_violations(page)
    page.goto(f"{live_server.url}/service/reports/")
    expect(page.locator("#report-queues")).to_contain_text("Fibra")
    expect(page.locator("#kpi-fcr")).to_have_text("100.0%")
    _no_violations(page)
