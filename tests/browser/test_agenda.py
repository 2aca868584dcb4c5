"""A rep's day in a real browser: he opens his agenda, logs the outcome of a call
inline (HTMX), and the customer's ficha shows it on the timeline; wide and on a phone
(375 px), with axe."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from panorama.sales.services.activity import activity_plan
from tests.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def call(db):
    team = TeamFactory(name="Madrid Centro")
    rep = UserFactory(username="javier", first_name="Javier", last_name="Moreno", teams=[team])
    ana = CustomerFactory(first_name="Ana", last_name="Ruiz", owner=rep, team=team)
    starts = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    return activity_plan(
        by=rep,
        kind="call",
        subject="Renovación de la fibra",
        starts_at=starts,
        customer_id=ana.pk,
        reminder_minutes=15,
    )


def _violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE], ids=["wide", "phone"])
def test_a_rep_logs_a_call_from_his_agenda_and_the_ficha_shows_it(
    page, sign_in, live_server, call, viewport, screenshots
):
    page.set_viewport_size(viewport)
    sign_in("javier")
    page.goto(f"{live_server.url}/sales/agenda/")
    item = page.locator(f"#activity-{call.pk}")
    expect(item).to_contain_text("Renovación de la fibra")
    expect(item).to_contain_text("Ana Ruiz")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert _violations(page) == []

    item.get_by_text("Log outcome").click()
    item.get_by_label("Outcome").fill("Renueva 24 meses con descuento")
    item.get_by_role("button", name="Done").click()
    expect(page.locator(f"#activity-{call.pk} [data-status]")).to_have_text("Done")
    expect(page.locator(f"#activity-{call.pk} [data-outcome]")).to_contain_text("Renueva 24 meses")
    page.screenshot(path=str(screenshots / f"agenda-{viewport['width']}.png"), full_page=True)

    page.locator(f"#activity-{call.pk}").get_by_role("link", name="Ana Ruiz").click()
    timeline = page.locator("#panel-timeline")
    expect(timeline).to_contain_text("Call: Renovación de la fibra")
    expect(timeline).to_contain_text("Renueva 24 meses con descuento")
    assert _violations(page) == []


def test_the_week_view_at_375_px(page, sign_in, live_server, call):
    page.set_viewport_size(PHONE)
    sign_in("javier")
    day = timezone.localdate() + datetime.timedelta(days=0)
    page.goto(f"{live_server.url}/sales/agenda/?view=week&day={day.isoformat()}")
    expect(page.locator("#agenda-week")).to_contain_text("Renovación de la fibra")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _violations(page) == []


def test_a_manager_plans_for_his_rep_and_adjusts_the_forecast_on_a_phone(
    page, sign_in, live_server, call, screenshots
):
    from panorama.accounts.models import Role
    from panorama.sales.services.script import script_create

    team = call.owner.teams.get()
    UserFactory(username="marta", first_name="Marta", role=Role.SALES_MANAGER, managed_teams=[team])
    script_create(by=None, title="Presentación", body="Quiénes somos")
    page.set_viewport_size(PHONE)
    sign_in("marta")

    page.goto(f"{live_server.url}/sales/agenda/new/")
    page.get_by_label("Subject").fill("Visita con Javier")
    page.get_by_label("Agenda of").select_option(label="Javier Moreno")
    page.get_by_label("Kind").select_option(label="Visit")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _violations(page) == []
    page.get_by_role("button", name="Plan it").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Javier Moreno")
    expect(page.locator("#agenda-items")).to_contain_text("Visita con Javier")

    page.goto(f"{live_server.url}/sales/forecast/")
    expect(page.locator("#forecast-table")).to_contain_text("Javier Moreno")
    page.locator("#id_target").select_option(label="Javier Moreno")
    page.get_by_label("Category").select_option(label="Commit")
    page.get_by_label("Amount").fill("1200")
    page.get_by_role("button", name="Save the adjustment").click()
    expect(page.locator("#forecast-history")).to_contain_text("Commit")
    expect(page.locator("#forecast-table")).to_contain_text("adjusted")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _violations(page) == []
    page.screenshot(path=str(screenshots / "forecast-375.png"), full_page=True)

    page.goto(f"{live_server.url}/sales/settings/scripts/")
    expect(page.locator("#main")).to_contain_text("Presentación")
    assert _violations(page) == []
