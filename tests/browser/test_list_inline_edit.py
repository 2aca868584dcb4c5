"""Inline edit beyond the customer list (core/lists Edit, inline-edit.js), in Chromium:
the opportunities list (amount, expected close, stage, owner) and the cases list
(priority, owner). Tab saves and moves to the next editable cell; the new value shows
at once and is rolled back, with the message, when the service refuses or nobody
answers."""

import pytest
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.sales.models import Opportunity
from panorama.sales.services.opportunity import opportunity_create
from panorama.service.models import Case
from panorama.service.services.case import case_open
from tests.factories import CustomerFactory, TeamFactory, UserFactory, pipeline_with_stages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 800}


@pytest.fixture
def world(db):
    team = TeamFactory(name="Madrid Centro")
    rep = UserFactory(
        username="rep", first_name="Elena", last_name="Martín", role=Role.ADMIN, teams=[team]
    )
    pipeline_with_stages()
    customer = CustomerFactory(first_name="Lucía", last_name="Gómez", owner=rep, team=team)
    opportunity_create(by=rep, customer_id=customer.pk, name="Fibra 600", amount=1200)
    case = case_open(by=rep, customer_id=customer.pk, subject="Sin línea desde ayer")
    return {"rep": rep, "case": case}


def test_opportunity_and_case_cells_edit_in_place(page, sign_in, live_server, world):
    page.set_viewport_size(WIDE)
    sign_in("rep")
    page.goto(f"{live_server.url}/sales/opportunities/")
    row = page.locator("#opportunities-rows tr[id]").first
    page.get_by_role("button", name="Edit Amount of Fibra 600").click()
    amount = row.get_by_label("Amount", exact=True)
    expect(amount).to_be_focused()
    amount.fill("1500")
    # Tab saves and opens the next editable cell of the row: the expected close date.
    page.keyboard.press("Tab")
    close = row.get_by_label("Expected close", exact=True)
    expect(close).to_be_focused()
    expect(row.locator("td.pn-num")).to_contain_text("1,500.00")
    assert Opportunity.objects.get().amount == 1500
    page.keyboard.press("Escape")
    expect(close).to_have_count(0)
    expect(page.get_by_role("button", name="Edit Expected close of Fibra 600")).to_be_focused()

    # Refused: Negotiate needs an expected close date. The stage stays, with why.
    page.get_by_role("button", name="Edit Stage of Fibra 600").click()
    stage = row.get_by_label("Stage", exact=True)
    stage.select_option(label="New business: Negotiate")
    stage.press("Enter")
    cell = row.locator("td[data-pn-editable]", has=page.get_by_role("alert"))
    expect(cell.get_by_role("alert")).to_contain_text("expected close date")
    expect(cell.locator("[data-pn-cell-saved]")).to_have_text("Qualify")
    expect(stage).to_be_focused()  # what was chosen is still there, to fix or cancel
    assert Opportunity.objects.get().stage.name == "Qualify"
    page.keyboard.press("Escape")
    expect(row.get_by_role("alert")).to_have_count(0)

    # The cases list: the new priority shows while the server decides.
    reference = world["case"].reference
    pending = []
    page.goto(f"{live_server.url}/service/cases/")
    case_row = page.locator("#cases-rows tr[id]").first
    page.get_by_role("button", name=f"Edit Priority of {reference}").click()
    priority = case_row.get_by_label("Priority", exact=True)
    priority.select_option("urgent")
    page.route("**/ui/lists/cases/**", lambda route: pending.append(route))
    priority.press("Enter")
    optimistic = page.locator(".pn-cell-optimistic")
    expect(optimistic).to_have_text("Urgent")
    expect(priority).to_be_hidden()
    page.wait_for_timeout(100)
    pending.pop().continue_()
    expect(case_row.locator(".pn-chip", has_text="Urgent")).to_be_visible()
    expect(optimistic).to_have_count(0)
    assert Case.objects.get().priority == "urgent"

    # Nobody answers (a 500): the value is rolled back to the editor, with a message.
    page.unroute("**/ui/lists/cases/**")
    page.route(
        "**/ui/lists/cases/**",
        lambda route: (
            route.fulfill(status=500, body="")
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    page.get_by_role("button", name=f"Edit Owner of {reference}").click()
    owner = case_row.get_by_label("Owner", exact=True)
    owner.select_option(str(world["rep"].pk))
    owner.press("Enter")
    expect(case_row.get_by_role("alert")).to_contain_text("Not saved")
    expect(owner).to_be_visible()
    expect(page.locator(".pn-cell-optimistic")).to_have_count(0)
    assert Case.objects.get().owner is None
    page.unroute("**/ui/lists/cases/**")
    owner.press("Enter")
    expect(case_row.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_role("button", name=f"Edit Owner of {reference}")).to_be_focused()
    expect(case_row).to_contain_text("Elena Martín")
    assert Case.objects.get().owner == world["rep"]
