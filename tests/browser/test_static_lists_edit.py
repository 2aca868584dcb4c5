"""Marketing's static lists and the service contracts on a phone (375 px) in Chromium,
axe clean and without sideways scroll: a static list renamed in place (Enter saves
through list_rename, a taken name is refused in the card with the service's message),
lists deleted from the bulk bar once confirmed (the one a campaign targets refused,
named, and kept), and a contract's name changed in place through contract_update."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.marketing.models import Campaign, StaticList
from panorama.marketing.services.segments import list_create
from panorama.service.models import ServiceContract
from panorama.service.services.asset import contract_create
from tests.browser.checks import sideways, violations
from tests.factories import AdminFactory, CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _fits(page):
    assert violations(page) == [], page.url
    assert sideways(page) == "", page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_static_list_renamed_in_place_and_lists_deleted_in_bulk_on_a_phone(
    page, sign_in, live_server
):
    marta = UserFactory(username="marta", role=Role.MARKETING)
    spring = list_create(by=marta, name="Primavera", customer_ids=[CustomerFactory().pk])
    summer = list_create(by=marta, name="Verano")
    list_create(by=marta, name="Feria")
    Campaign.objects.create(name="Rebajas", static_list=summer)
    page.set_viewport_size(PHONE)
    sign_in("marta")

    page.goto(f"{live_server.url}/marketing/lists/")
    rows = page.locator("#static-lists-list")
    expect(rows).to_contain_text("Primavera")
    _fits(page)
    page.get_by_role("button", name="Edit Name of Primavera").click()
    name = page.get_by_role("textbox", name="Name", exact=True)
    expect(name).to_be_focused()
    name.fill("Verano")  # another list's name: refused in the card, nothing saved
    name.press("Enter")
    card = page.locator("#static-lists-rows tr[id]", has=page.get_by_role("alert"))
    expect(card.get_by_role("alert")).to_contain_text(
        "There is already a list named Verano: choose another name."
    )
    assert StaticList.objects.get(pk=spring.pk).name == "Primavera"
    _fits(page)
    name.fill("Primavera 2027")
    name.press("Enter")
    expect(page.get_by_role("button", name="Edit Name of Primavera 2027")).to_be_focused()
    expect(rows).to_contain_text("Primavera 2027")
    assert StaticList.objects.get(pk=spring.pk).name == "Primavera 2027"
    _fits(page)

    page.get_by_role("checkbox", name="Select Feria").check()
    page.get_by_role("checkbox", name="Select Verano").check()
    bar = page.get_by_role("form", name="Bulk actions")
    bar.get_by_label("Action").select_option(label="Delete")
    bar.get_by_label("Delete").select_option(label="Delete them for good")
    bar.get_by_role("button", name="Apply").click()
    report = page.get_by_role("status").filter(has_text="Delete")
    expect(report).to_contain_text("1 row deleted.")
    expect(report).to_contain_text(
        "Verano: The campaign “Rebajas” targets it: it cannot be deleted."
    )
    expect(rows).not_to_contain_text("Feria")
    assert sorted(StaticList.objects.values_list("name", flat=True)) == [
        "Primavera 2027",
        "Verano",
    ]
    _fits(page)


def test_a_contract_renamed_in_place_on_a_phone(page, sign_in, live_server):
    AdminFactory(username="boss")
    today = timezone.localdate()
    contract = contract_create(
        by=None,
        customer_id=CustomerFactory(first_name="Lucía", last_name="Gómez").pk,
        name="Mantenimiento Oro",
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today + datetime.timedelta(days=20),
    )
    page.set_viewport_size(PHONE)
    sign_in("boss")
    page.goto(f"{live_server.url}/service/contracts/")
    edit = page.get_by_role("button", name=f"Edit Name of {contract.reference}")
    edit.click()
    name = page.get_by_role("textbox", name="Name", exact=True)
    name.fill(" ")
    name.press("Enter")
    card = page.locator("#service_contracts-rows tr[id]").first
    expect(card.get_by_role("alert")).to_contain_text("A contract needs a name.")
    _fits(page)
    name.fill("Mantenimiento Platino")
    name.press("Enter")
    expect(edit).to_be_focused()
    expect(card).to_contain_text("Mantenimiento Platino")
    assert ServiceContract.objects.get(pk=contract.pk).name == "Mantenimiento Platino"
    _fits(page)
