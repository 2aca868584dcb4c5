"""The seeds' example end to end, in real browsers: a known customer, identified by a
tracked link's cookie, runs a mortgage simulation on the bank's own web site (another
origin, carrying Panorama's snippet) → the rule "mortgage simulation → alert the
personal manager and propose a call tomorrow" fires through the outbox → the next
morning (injected time) the manager sees the alert on his home page and the call in his
agenda → he logs the call → he opens an opportunity → it is all on the timeline."""

import datetime
import functools
import http.server
import threading
import time

import pytest
from django.db import OperationalError
from django.templatetags.static import static
from django.utils import timezone
from playwright.sync_api import expect

from panorama.automation.models import Alert, TrackedSite, WebEvent
from panorama.automation.services.rules import rule_save
from panorama.automation.services.tracking import tracked_url, web_summarise
from panorama.core.outbox import outbox_dispatch
from panorama.sales.models import Activity, Opportunity
from tests.factories import (
    AdminFactory,
    CustomerFactory,
    TeamFactory,
    UserFactory,
    pipeline_with_stages,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BANK_PAGE = """<!doctype html><html lang="es"><head><meta charset="utf-8">
<title>Simulador de hipotecas</title>
<script>window.panorama = window.panorama ||
  function () {{ (panorama.q = panorama.q || []).push(arguments); }};</script>
<script src="{script}" data-key="{key}" data-consent="required" async></script></head>
<body><h1>Simulador de hipotecas</h1>
<button id="accept" onclick="panorama('consent', true)">Aceptar cookies</button>
<form id="sim" onsubmit="event.preventDefault(); panorama('track', 'mortgage_simulation',
  {{amount: +this.amount.value, term: +this.term.value, rate: +this.rate.value}});
  panorama('flush');
  document.getElementById('done').textContent = 'Cuota calculada';">
<label>Importe <input name="amount" value="200000"></label>
<label>Plazo <input name="term" value="25"></label>
<label>Tipo <input name="rate" value="2.9"></label>
<button type="submit">Calcular cuota</button></form><p id="done"></p></body></html>"""


@pytest.fixture
def bank_site(tmp_path):
    """The bank's web site: a page on another origin (a local HTTP server)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _wait_for(check, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OperationalError:
            # SQLite's shared in-memory test database locks a table while the live
            # server's thread writes it, without waiting: look again.
            pass
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_the_mortgage_simulation_reaches_the_manager_and_becomes_an_opportunity(
    browser, page, sign_in, live_server, bank_site
):
    folder, origin = bank_site
    team = TeamFactory(name="Banca personal")
    marta = UserFactory(username="marta", first_name="Marta", last_name="Gil", teams=[team])
    lucia = CustomerFactory(
        first_name="Lucía", last_name="Vega", display_name="Lucía Vega", owner=marta, team=team
    )
    pipeline_with_stages(is_default=True)
    site = TrackedSite.objects.create(name="Web del banco", origins=origin)
    rule_save(
        by=AdminFactory(username="root"),
        data={
            "name": "Mortgage simulation",
            "event": "web.event_tracked",
            "conditions": {
                "all": [
                    {"field": "event.name", "op": "eq", "value": "mortgage_simulation"},
                    {"field": "event.data.amount", "op": "gte", "value": 100000},
                ]
            },
            "actions": [
                {
                    "type": "alert",
                    "to": "owner",
                    "priority": 3,
                    "expires_in_days": 7,
                    "title": "Mortgage simulation of {event.data.amount} €",
                },
                {
                    "type": "agenda",
                    "kind": "call",
                    "subject": "Call about the mortgage",
                    "in_days": 1,
                    "at": "09:00",
                },
            ],
        },
    )
    (folder / "hipotecas.html").write_text(
        BANK_PAGE.format(
            script=live_server.url + static("automation/track.js"), key=site.public_key
        ),
        encoding="utf-8",
    )

    # --- Lucía clicks the tracked link of a newsletter and simulates a mortgage.
    visitor = browser.new_context(locale="es-ES")
    bank = visitor.new_page()
    bank.goto(tracked_url(f"{origin}/hipotecas.html", lucia.pk))
    assert not [c for c in visitor.cookies() if c["name"] == "pn_vid"]  # no consent yet
    bank.locator("#accept").click()
    bank.get_by_role("button", name="Calcular cuota").click()
    expect(bank.locator("#done")).to_have_text("Cuota calculada")
    _wait_for(lambda: WebEvent.objects.filter(name="mortgage_simulation").exists())
    assert [c for c in visitor.cookies() if c["name"] == "pn_vid"]
    visitor.close()
    assert WebEvent.objects.get(name="mortgage_simulation").customer_id == lucia.pk

    # --- The worker delivers the event to the rules.
    outbox_dispatch()
    assert Alert.objects.get().user == marta

    # --- The next morning (injected time): the visit is summarised on the timeline.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    morning = datetime.datetime.combine(
        tomorrow, datetime.time(8, 5), tzinfo=timezone.get_current_timezone()
    )
    assert web_summarise(morning) == 1

    sign_in("marta")
    page.goto(f"{live_server.url}/")
    alerts = page.locator("#my-alerts")
    expect(alerts).to_contain_text("Lucía Vega")
    expect(alerts).to_contain_text("Mortgage simulation of 200000 €")

    call = Activity.objects.get(kind="call", customer=lucia)
    page.goto(f"{live_server.url}/sales/agenda/?day={tomorrow.isoformat()}")
    item = page.locator(f"#activity-{call.pk}")
    expect(item).to_contain_text("Call about the mortgage")
    item.get_by_text("Log outcome").click()
    item.get_by_label("Outcome").fill("Quiere una oferta de hipoteca fija")
    item.get_by_role("button", name="Done").click()
    expect(page.locator(f"#activity-{call.pk} [data-status]")).to_have_text("Done")

    page.goto(f"{live_server.url}/sales/customers/{lucia.pk}/opportunities/new/")
    page.locator("#id_name").fill("Hipoteca Lucía Vega")
    page.locator("#id_amount").fill("200000")
    page.get_by_role("button", name="Open the opportunity").click()
    expect(page.locator("h1")).to_contain_text("Hipoteca Lucía Vega")
    assert Opportunity.objects.get().customer == lucia

    page.goto(f"{live_server.url}/customers/{lucia.pk}/?tab=history")
    ficha = page.locator("main")
    for step in (
        "Web visit:",
        "mortgage simulation",
        "Call: Call about the mortgage",
        "Quiere una oferta de hipoteca fija",
        "Opportunity opened: Hipoteca Lucía Vega",
    ):
        expect(ficha).to_contain_text(step)
    page.goto(f"{live_server.url}/customers/{lucia.pk}/")
    expect(page.locator("#panel-alerts")).to_contain_text("Mortgage simulation of 200000 €")
