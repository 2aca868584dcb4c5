"""The ficha's properties edited in place (core/inline.py, inline-edit.js), in Chromium:
a click or Enter opens the editor, Enter or leaving the field saves through the
customer's services, Esc cancels, Tab moves; a refusal shows the service's message in
place with what was typed; the head, the "More data" card and the field history follow,
without a reload; at 375 px nothing sticks out; axe finds nothing."""

import pytest
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.customers.models import Customer, Identity
from tests.browser.checks import sideways, violations
from tests.factories import (
    CustomerFactory,
    CustomFieldDefinitionFactory,
    IdentityFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def lucia(db):
    UserFactory(username="agent", first_name="Elena", last_name="Martín", role=Role.SERVICE_AGENT)
    CustomFieldDefinitionFactory(key="employees", label="Employees", type="integer")
    customer = CustomerFactory(first_name="Lucía", last_name="Gómez", status="prospect")
    IdentityFactory(customer=customer, kind="email", value="lucia@example.com", is_primary=True)
    return customer


def test_properties_edit_in_place(page, sign_in, live_server, lucia):
    page.set_viewport_size(WIDE)
    sign_in("agent")
    page.goto(f"{live_server.url}/customers/{lucia.pk}/")
    page.evaluate("window.pnSamePage = true")  # gone if anything reloads the page
    props = page.locator("[data-pn-properties]")
    more_data = page.locator("#ficha-more-data")  # the Details tab's card
    expect(more_data).not_to_contain_text("Employees")
    assert violations(page) == []

    # A click opens the editor; Enter saves; the head follows.
    page.get_by_role("button", name="Edit First name: Lucía").click()
    first = props.get_by_label("First name", exact=True)
    expect(first).to_be_focused()
    assert violations(page, settle=False) == []  # the editor open
    first.fill("Lucinda")
    first.press("Enter")
    expect(page.get_by_role("button", name="Edit First name: Lucinda")).to_be_focused()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lucinda Gómez")
    assert Customer.objects.get(pk=lucia.pk).first_name == "Lucinda"

    # Esc cancels: nothing saved, the focus back on the value.
    page.keyboard.press("Tab")  # to the last name's button
    page.keyboard.press("Enter")
    last = props.get_by_label("Last name", exact=True)
    expect(last).to_be_focused()
    last.fill("Nadie")
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Edit Last name: Gómez")).to_be_focused()
    assert Customer.objects.get(pk=lucia.pk).last_name == "Gómez"

    # Tab saves and moves on: the status, then the e-mail, saved by leaving the field.
    page.get_by_role("button", name="Edit Status: Prospect").click()
    status = props.get_by_label("Status", exact=True)
    expect(status).to_be_focused()
    status.select_option("active")
    page.keyboard.press("Tab")
    email = props.get_by_label("E-mail", exact=True)
    expect(email).to_be_focused()
    expect(props.locator("#prop-status")).to_contain_text("Active")
    expect(page.locator("#ficha-header")).to_contain_text("Active")
    email.fill("lucinda@example.com")
    page.get_by_role("heading", name="Properties").click()  # leaves the field
    # The server's answer (the value's button again), not the optimistic text.
    expect(page.get_by_role("button", name="Edit E-mail: lucinda@example.com")).to_be_visible()
    assert Customer.objects.get(pk=lucia.pk).status == "active"
    assert Identity.objects.get(customer=lucia, kind="email").value == "lucinda@example.com"

    # Refused by the service: its message in place, what was typed kept, nothing saved.
    page.get_by_role("button", name="Edit Employees: —").click()
    employees = props.get_by_label("Employees", exact=True)
    employees.fill("many")
    employees.press("Enter")
    expect(props.get_by_role("alert")).to_have_text("Employees: Enter a whole number.")
    expect(employees).to_have_value("many")
    expect(employees).to_be_focused()
    assert "employees" not in Customer.objects.get(pk=lucia.pk).custom_fields
    employees.fill("12")
    employees.press("Enter")
    expect(page.get_by_role("button", name="Edit Employees: 12")).to_be_visible()
    assert Customer.objects.get(pk=lucia.pk).custom_fields["employees"] == 12

    # The Details tab's "More data" card has the new value, without a reload.
    page.get_by_role("tab", name="Details").click()
    expect(more_data.get_by_role("heading", name="More data")).to_be_visible()
    expect(more_data.locator("dt", has_text="Employees")).to_be_visible()
    expect(more_data.locator("dd", has_text="12")).to_be_visible()

    # The field history has every change, shown without a reload.
    page.get_by_role("tab", name="History").click()
    history = page.locator("#ficha-field-history")
    expect(history).to_contain_text("Lucinda")
    expect(history).to_contain_text("lucinda@example.com")
    assert page.evaluate("window.pnSamePage") is True

    # On a phone: the properties and an open editor fit the width.
    page.set_viewport_size(PHONE)
    page.get_by_role("tab", name="Overview").click()
    page.get_by_role("button", name="Edit Account manager: —").click()
    expect(props.get_by_label("Account manager", exact=True)).to_be_focused()
    assert sideways(page) == ""
