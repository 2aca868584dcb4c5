"""The screen pop in a real browser: the agent's page is open, the PBX posts a ringing
event to the webhook, the pop appears with the caller's name and open cases; the agent
logs the call and opens a case from it. An unknown caller is created from the pop.
The delay (webhook answered → pop on the page) is printed, never asserted."""

import json
import time

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.service.models import Call, Extension, Pbx
from panorama.service.services.case import case_open
from panorama.service.services.pbx_requests import signature_for
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(db):
    pbx = Pbx.objects.create(name="Asterisk", secret="browser-secret")
    agent = UserFactory(
        username="agent", first_name="Elena", last_name="Martín", role=Role.SERVICE_AGENT
    )
    Extension.objects.create(pbx=pbx, number="101", user=agent)
    ana = CustomerFactory(first_name="Ana", last_name="Ruiz")
    IdentityFactory(customer=ana, kind="phone", value="+34600112233")
    case = case_open(by=None, customer_id=ana.pk, subject="Sin línea desde ayer")
    return pbx, agent, ana, case


def ring(live_server, pbx, call_id: str, caller: str) -> float:
    body = json.dumps(
        {"event": "ringing", "call_id": call_id, "caller": caller, "extension": "101"}
    ).encode()
    started = time.perf_counter()
    response = httpx.post(
        f"{live_server.url}/api/v1/telephony/{pbx.pk}/events",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Panorama-Signature": signature_for(pbx.secret, body),
        },
    )
    assert response.status_code == 201, response.text
    return started


def test_the_agent_sees_the_pop_and_opens_a_case(page, sign_in, live_server, setup, screenshots):
    pbx, agent, ana, case = setup
    sign_in("agent")
    page.goto(f"{live_server.url}/service/cases/")
    # The stream is open (its first event says hello) before the phone rings.
    page.wait_for_function("() => document.querySelector('#pn-calls') !== null")
    page.wait_for_timeout(300)
    started = ring(live_server, pbx, "1732900000.1", "600 11 22 33")
    pop = page.locator(".pn-call-pop")
    expect(pop).to_be_visible()
    seen = time.perf_counter()
    expect(pop.get_by_role("link", name="Ana Ruiz")).to_be_visible()
    expect(pop).to_contain_text("Incoming call")
    expect(pop).to_contain_text(case.reference)
    in_page = page.evaluate("window.pnCallDelays")
    print(
        f"\nscreen pop: webhook sent → pop visible {1000 * (seen - started):.0f} ms "
        f"(event recorded → page notified {in_page[0]} ms, SSE)"
    )
    page.screenshot(path=str(screenshots / "screen-pop.png"))
    violations = Axe().run(page).response["violations"]
    assert [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in violations] == []

    pop.get_by_label("Notes").fill("No tiene línea; se abre caso.")
    pop.get_by_label("Open a case").check()
    pop.get_by_label("Case subject").fill("Avería de línea")
    pop.get_by_role("button", name="Save").click()
    expect(pop).to_contain_text("opened")
    call = Call.objects.get()
    assert call.case is not None and call.case.subject == "Avería de línea"
    assert call.notes == "No tiene línea; se abre caso."
    pop.get_by_role("link", name=call.case.reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Avería de línea")


def test_an_unknown_caller_is_created_from_the_pop(page, sign_in, live_server, setup):
    pbx, agent, ana, case = setup
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in("agent")
    page.wait_for_timeout(300)
    ring(live_server, pbx, "1732900000.2", "+34 911 000 111")
    pop = page.locator(".pn-call-pop")
    expect(pop).to_contain_text("Unknown number")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    pop.get_by_text("Create customer", exact=True).first.click()
    pop.get_by_label("First name").fill("Jorge")
    pop.get_by_label("Last name").fill("Vidal")
    pop.get_by_role("button", name="Create customer").click()
    expect(pop.get_by_role("link", name="Jorge Vidal")).to_be_visible()
    call = Call.objects.get()
    assert call.customer.display_name == "Jorge Vidal"
    pop.get_by_role("button", name="Close the call window").click()
    expect(pop).to_have_count(0)


def test_a_user_without_an_extension_opens_no_stream(page, sign_in, live_server, setup):
    UserFactory(username="rep", role=Role.SALES_REP)
    sign_in("rep")
    page.goto(f"{live_server.url}/customers/")
    page.wait_for_timeout(500)
    assert not [url for url in page.requests if "/service/calls/stream/" in url]
    assert [url for url in page.requests if "/service/calls/events/" in url]


def test_click_to_call_from_the_ficha(page, sign_in, live_server, setup):
    pbx, agent, ana, case = setup
    import http.server
    import threading

    got = []

    class Pbx(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pbx)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        pbx.outbound_url = f"http://127.0.0.1:{server.server_address[1]}/originate"
        pbx.save()
        sign_in("agent")
        page.goto(f"{live_server.url}/customers/{ana.pk}/")
        page.get_by_role("button", name="Call 600 11 22 33").first.click()
        expect(page.locator("#pn-calls-dial")).to_contain_text("Calling +34600112233")
        assert got == [
            {
                "action": "dial",
                "call_id": got[0]["call_id"],
                "extension": "101",
                "number": "+34600112233",
            }
        ]
    finally:
        server.shutdown()
        server.server_close()


def test_without_a_stream_slot_the_page_polls_and_still_pops(
    page, sign_in, live_server, setup, settings
):
    settings.PANORAMA_CALL_STREAMS = 0  # every slot taken: the server says "poll"
    pbx, agent, ana, case = setup
    sign_in("agent")
    page.wait_for_timeout(1500)
    started = ring(live_server, pbx, "1732900000.3", "600 11 22 33")
    pop = page.locator(".pn-call-pop")
    expect(pop.get_by_role("link", name="Ana Ruiz")).to_be_visible()
    seen = time.perf_counter()
    assert not [url for url in page.requests if "/service/calls/stream/" in url][1:]
    print(
        "\nscreen pop by polling (1 s): webhook sent → pop visible "
        f"{1000 * (seen - started):.0f} ms"
    )
