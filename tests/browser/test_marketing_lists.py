"""Marketing's segments, messages and journeys on the shared list in a real browser, wide
and on a phone (375 px), with axe: a filter chosen in the menu becomes a chip and the
URL, and a journey is paused from the bulk bar through its service."""

import pytest
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.marketing.models import Campaign, Journey, Segment
from panorama.marketing.services import journeys as svc
from panorama.marketing.services.templates import template_save
from tests.browser.checks import sideways, violations
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RULES = {"field": "holding", "op": "has_not", "value": "CARD-CR"}


def _check(page, width):
    assert violations(page) == []
    assert sideways(page) == "", page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 800}, {"width": 375, "height": 812}],
    ids=["wide", "phone"],
)
def test_marketing_lists_filter_by_chip_and_pause_a_journey(page, sign_in, live_server, viewport):
    marta = UserFactory(username="marta", role=Role.MARKETING)
    targeted = Segment.objects.create(name="Sin tarjeta", rules=RULES, owner=marta)
    Segment.objects.create(name="Jóvenes", rules=RULES, owner=marta)
    Campaign.objects.create(name="Otoño", segment=targeted)
    template_save(by=marta, name="Bienvenida", subject_es="Hola", body_es="Hola")
    live = svc.journey_save(by=marta, name="Alta", trigger="birthday")
    svc.step_add(by=marta, journey=live, kind="alert", config={"title": "Llamar"})
    svc.journey_set_status(by=marta, journey=live, status="active")
    width = viewport["width"]
    page.set_viewport_size(viewport)
    sign_in("marta")

    page.goto(f"{live_server.url}/marketing/")
    segments = page.locator("#segments-list")
    expect(segments).to_contain_text("Sin tarjeta")
    _check(page, width)
    page.get_by_role("button", name="Filter").click()
    page.get_by_label("Use").select_option(label="No campaign")
    page.get_by_role("button", name="Apply filters").click()
    expect(segments).to_contain_text("Use: No campaign")
    expect(segments).not_to_contain_text("Sin tarjeta")
    expect(page).to_have_url(f"{live_server.url}/marketing/?use=unused")
    _check(page, width)

    page.goto(f"{live_server.url}/marketing/templates/")
    expect(page.locator("#message-templates-list")).to_contain_text("Bienvenida")
    _check(page, width)

    page.goto(f"{live_server.url}/marketing/journeys/")
    page.get_by_role("checkbox", name="Select Alta").check()
    bar = page.get_by_role("form", name="Bulk actions")
    bar.get_by_label("Action").select_option(label="Pause")
    bar.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status").filter(has_text="Pause")).to_contain_text("1 row changed")
    expect(page.locator("#journeys-list")).to_contain_text("Paused")
    assert Journey.objects.get(pk=live.pk).status == Journey.Status.PAUSED
    _check(page, width)
