"""Quick create from any page (issue 14, point 8): "n" or the "+" button opens the form in
a dialog; the possible-duplicate warning shows in it before anything is saved."""

import pytest
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.customers.models import Customer
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rep(db):
    return UserFactory(username="rep", first_name="Pablo", last_name="Ortega", role=Role.SALES_REP)


def test_quick_create_warns_of_a_lookalike_then_opens_the_new_ficha(
    page, sign_in, live_server, rep
):
    existing = CustomerFactory(first_name="Lucía", last_name="Gómez Ruiz", owner=rep)
    IdentityFactory(customer=existing, kind="phone", value="+34600112233")
    sign_in("rep")
    page.goto(f"{live_server.url}/sales/leads/")
    page.locator("body").click(position={"x": 5, "y": 400})

    page.keyboard.press("n")
    dialog = page.get_by_role("dialog", name="New customer")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("First name")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.get_by_role("button", name="New customer (N)").click()
    dialog.get_by_label("First name").fill("Lucia")
    dialog.get_by_label("Last name").fill("Gomez")
    dialog.get_by_label("Phone").fill("600 11 22 33")
    dialog.get_by_role("button", name="Create customer").click()

    expect(dialog.get_by_role("alert")).to_contain_text("look like the one you are creating")
    expect(dialog.get_by_role("link", name="Lucía Gómez Ruiz")).to_be_visible()
    assert page.url == f"{live_server.url}/sales/leads/"  # still where she was
    assert Customer.objects.count() == 1

    dialog.get_by_role("button", name="It is a different customer: create it").click()
    page.wait_for_url(f"{live_server.url}/customers/*/")
    created = Customer.objects.exclude(pk=existing.pk).get()
    assert page.url == f"{live_server.url}/customers/{created.pk}/"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lucia Gomez")


def test_quick_create_fits_a_phone(page, sign_in, live_server, rep):
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in("rep")
    page.get_by_role("button", name="New customer (N)").click()
    dialog = page.get_by_role("dialog", name="New customer")
    expect(dialog.get_by_label("First name")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
