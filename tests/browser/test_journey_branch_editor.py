"""The branch editor in Chromium: a branch "wait until he opens the e-mail, at most N
days" is added after a send, then a step on each of its paths, in place; the page shows
the paths under the branch and fits a 375 px phone."""

import pytest
from playwright.sync_api import expect

from panorama.marketing.models import Journey, MessageTemplate
from tests.browser.checks import sideways, violations
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def journey(db):
    UserFactory(username="marta", role="marketing")
    for name in ("Oferta", "Gracias", "Recordatorio"):
        MessageTemplate.objects.create(name=name, subject_es=name, body_es="Hola")
    return Journey.objects.create(name="Empujón", trigger="event", trigger_event="customer.created")


def _add(page, kind, *, template="", where="", test="", days=""):
    page.locator("#step-kind").select_option(kind)
    if where:
        page.locator("#step-where").select_option(label=where)
    if test:
        page.locator("#step-test").select_option(test)
    if days:
        page.locator("#step-days").fill(days)
    if template:
        page.locator("#step-template").select_option(label=template)
    page.get_by_role("button", name="Add step").click()


def test_a_branch_and_its_paths_are_edited_in_place(page, sign_in, live_server, journey):
    sign_in("marta")
    page.goto(f"{live_server.url}/marketing/journeys/{journey.pk}/")
    loads = []
    page.on("load", lambda _p: loads.append(1))
    steps = page.locator("#journey-steps [data-step]")
    _add(page, "send", template="Oferta")
    expect(steps).to_have_count(1)
    _add(page, "branch", test="opened", days="3")
    expect(steps).to_have_count(2)
    label = "Wait until the customer has opened the previous e-mail, at most 3 days"
    expect(steps.nth(1)).to_contain_text(label)

    _add(page, "send", template="Gracias", where=f"{label}: yes or no — if yes")
    expect(steps).to_have_count(3)  # the form is drawn again: wait for it
    _add(page, "send", template="Recordatorio", where=f"{label}: yes or no — if no")
    expect(steps).to_have_count(4)
    yes, no = page.locator('[data-path="yes"]'), page.locator('[data-path="no"]')
    expect(yes).to_contain_text("If yes")
    expect(yes).to_contain_text("Send “Gracias”")
    expect(no).to_contain_text("Send “Recordatorio”")
    expect(yes).to_have_attribute("data-level", "1")
    assert not loads
    branch = journey.steps.get(kind="branch")
    assert branch.config == {"test": "opened", "days": 3}
    assert {(s.path, s.config["template"]) for s in branch.children.all()} == {
        ("yes", MessageTemplate.objects.get(name="Gracias").pk),
        ("no", MessageTemplate.objects.get(name="Recordatorio").pk),
    }
    assert violations(page) == []
    page.set_viewport_size({"width": 375, "height": 812})
    assert sideways(page) == ""
