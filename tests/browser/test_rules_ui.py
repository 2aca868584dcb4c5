"""The rule editor and the home page in a real browser, wide and at 375 px, in English
and Spanish, with axe: an administrator builds the mortgage rule, sees an unknown field
named, tests it against a sample customer; a rep reads his alerts at home."""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from panorama.automation.models import Rule
from panorama.automation.services.alerts import alert_raise
from tests.browser.checks import revealed, watch_reveal
from tests.factories import AdminFactory, CustomerFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]]


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE], ids=["wide", "phone"])
def test_an_administrator_builds_and_tests_the_mortgage_rule(page, sign_in, live_server, viewport):
    AdminFactory(username="boss")
    customer = CustomerFactory(display_name="Lucía Vega")
    page.set_viewport_size(viewport)
    sign_in("boss")
    page.goto(f"{live_server.url}/automation/rules/new/")
    _fits(page, viewport["width"])
    assert _violations(page) == []
    page.locator("#id_name").fill("Mortgage simulation")
    page.locator("#id_event").select_option("web.event_tracked")
    page.locator("#id_c0_field").fill("event.name")
    page.locator("#id_c0_value").fill("mortgage_simulation")
    page.locator("#id_c1_field").fill("event.amount")  # not in the payload
    page.locator("#id_c1_op").select_option("gte")
    page.locator("#id_c1_value").fill("100000")
    page.locator("#id_alert_on").check()
    page.locator("#id_alert_title").fill("Mortgage simulation")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#rule-errors")).to_contain_text("Unknown field event.amount")
    page.locator("#id_c1_field").fill("event.data.amount")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".pn-page-header h1")).to_have_text("Mortgage simulation")
    assert Rule.objects.get().conditions["all"][1]["field"] == "event.data.amount"

    page.locator("#id_customer").fill(str(customer.pk))
    sample = {"name": "mortgage_simulation", "data": {"amount": 250000}}
    page.locator("#id_payload").fill(json.dumps(sample))
    # A slow test: the button's spinner only after 300 ms, in the button's own box.
    button = page.get_by_role("button", name="Test", exact=True)
    spinner = button.locator(".pn-progress")
    button.scroll_into_view_if_needed()  # boxes are read in the window
    box = button.bounding_box()
    held = []
    page.route("**/automation/rules/*/test/", lambda route: held.append(route))
    watch_reveal(page, "#rule-test .pn-progress")
    button.click()
    after_ms, hidden_frames = revealed(page)
    # >= 299: a frame's timestamp may read up to a millisecond before the request's start.
    assert hidden_frames > 0 and after_ms >= 299, (after_ms, hidden_frames)
    expect(spinner).to_be_visible()
    expect(button).to_be_disabled()
    assert button.bounding_box() == box
    assert _violations(page) == []
    held[0].continue_()
    result = page.locator("#rule-test-result")
    expect(result).to_contain_text("Matches")
    expect(result).to_contain_text("event.data.amount (250000) ≥ 100000 ✓")
    _fits(page, viewport["width"])
    assert _violations(page) == []

    page.goto(f"{live_server.url}/automation/rules/")
    expect(page.locator("main")).to_contain_text("Mortgage simulation")
    _fits(page, viewport["width"])


def test_a_rep_reads_his_alerts_at_home_in_spanish_on_a_phone(page, sign_in, live_server):
    team = TeamFactory(name="Banca personal")
    rep = UserFactory(username="marta", teams=[team], language="es")
    customer = CustomerFactory(display_name="Lucía Vega", owner=rep, team=team)
    alert_raise(
        by=None, customer_id=customer.pk, user_id=rep.pk, title="Simuló una hipoteca", priority=3
    )
    page.set_viewport_size(PHONE)
    sign_in("marta")
    page.goto(f"{live_server.url}/")
    alerts = page.locator("#my-alerts")
    expect(alerts).to_contain_text("Mis alertas")
    expect(alerts).to_contain_text("Simuló una hipoteca")
    _fits(page, PHONE["width"])
    assert _violations(page) == []
    alerts.get_by_role("button", name="Marcar como vista").click()
    expect(page.locator("main")).to_contain_text("0 alertas te esperan.")


def test_load_more_appends_the_older_runs_of_a_rule(page, sign_in, live_server):
    from panorama.automation.models import RuleRun
    from panorama.automation.services.rules import rule_save
    from tests.automation.conftest import MORTGAGE_RULE

    admin = AdminFactory(username="boss")
    rule = rule_save(by=admin, data=MORTGAGE_RULE)
    for i in range(25):
        RuleRun.objects.create(
            rule=rule,
            key=f"event:{i}",
            event="web.event_tracked",
            matched=True,
            actions_done=[f"Alert {i} raised"],
        )
    sign_in("boss")
    page.goto(f"{live_server.url}/automation/rules/{rule.pk}/")
    rows = page.locator("#rule-runs tbody tr:not(.pn-list-more)")
    expect(rows).to_have_count(20)
    page.locator("#rule-runs").get_by_role("button", name="Load more").click()
    expect(rows).to_have_count(25)
    expect(rows.last).to_contain_text("Alert 0 raised")
    expect(page.locator("#rule-runs .pn-list-more")).to_have_count(0)
    assert _violations(page) == []
