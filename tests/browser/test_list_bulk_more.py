"""The bulk actions core/lists gives every list, in Chromium, at 1280×800 and 375×812:
select rows → export → the download holds those rows; add to a marketing list; deactivate
and undo. The page passes axe with the job's report and its buttons shown."""

import csv
import re

import pytest
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.customers.models import Customer
from panorama.marketing.models import ListMembership, StaticList
from tests.browser.checks import sideways, violations
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"wide": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}


@pytest.fixture
def boss(db):
    return UserFactory(username="boss", first_name="Bea", last_name="Jefa", role=Role.ADMIN)


@pytest.fixture
def customers(db):
    names = ["Ana Sola", "Blas Roca", "Carla Vega", "=SUM(A1) Trampa"]
    return [
        CustomerFactory(first_name=n.split()[0], last_name=n.split()[1], status="prospect")
        for n in names
    ]


@pytest.mark.parametrize("size", ["wide", "phone"])
def test_select_rows_export_csv_and_download(page, sign_in, live_server, boss, customers, size):
    sign_in("boss")
    page.set_viewport_size(SIZES[size])
    bar = page.get_by_role("form", name="Bulk actions")
    page.get_by_role("checkbox", name="Select Ana Sola").check()
    page.get_by_role("checkbox", name="Select =SUM(A1) Trampa").check()
    expect(bar).to_contain_text("2 rows selected")
    bar.get_by_label("Action").select_option(label="Export as CSV")
    bar.get_by_role("button", name="Apply").click()
    report = page.get_by_role("status").filter(has_text="rows exported")
    expect(report).to_contain_text("Export as CSV: 2 rows exported.")
    with page.expect_download() as info:
        report.get_by_role("link", name="Download the file").click()
    download = info.value
    assert re.fullmatch(r"customers-\d{8}-\d{4}\.csv", download.suggested_filename)
    with open(download.path(), encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Name", "Kind", "Status", "Account manager", "Team"]
    assert sorted(r[0] for r in rows[1:]) == ["'=SUM(A1) Trampa", "Ana Sola"]
    assert all(r[2] == "Prospect" for r in rows[1:])
    assert sideways(page) == ""
    for theme in ("light", "dark"):
        page.evaluate(f"document.documentElement.setAttribute('data-bs-theme', '{theme}')")
        assert violations(page) == [], theme


@pytest.mark.parametrize("size", ["wide", "phone"])
def test_add_all_matching_to_a_marketing_list(page, sign_in, live_server, boss, size):
    StaticList.objects.create(name="Summer offer")
    spring = StaticList.objects.create(name="Spring offer")
    made = [CustomerFactory(first_name="Cliente", last_name=f"{i:03}") for i in range(60)]
    sign_in("boss")
    page.set_viewport_size(SIZES[size])
    bar = page.get_by_role("form", name="Bulk actions")
    page.get_by_role("checkbox", name="Select every row shown").check()
    bar.get_by_role("button", name="Select all matching rows (60 customers)").click()
    bar.get_by_label("Action").select_option(label="Add to marketing list")
    bar.get_by_label("Add to marketing list").select_option(label="Spring offer")
    bar.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status").filter(has_text="rows changed")).to_contain_text(
        "Add to marketing list: 60 rows changed.", timeout=30_000
    )
    members = ListMembership.objects.filter(static_list=spring, left_at__isnull=True)
    assert set(members.values_list("customer_id", flat=True)) == {c.pk for c in made}
    assert sideways(page) == ""


def test_deactivate_and_undo(page, sign_in, live_server, boss, customers):
    sign_in("boss")
    page.set_viewport_size(SIZES["phone"])
    bar = page.get_by_role("form", name="Bulk actions")
    page.get_by_role("checkbox", name="Select Blas Roca").check()
    page.get_by_role("checkbox", name="Select Carla Vega").check()
    bar.get_by_label("Action").select_option(label="Deactivate (can be undone)")
    bar.get_by_role("button", name="Apply").click()
    report = page.get_by_role("status").filter(has_text="rows changed")
    expect(report).to_contain_text("2 rows changed.")
    assert Customer.objects.filter(status="inactive").count() == 2
    assert violations(page) == []
    report.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status").filter(has_text="Undo:")).to_contain_text("2 rows changed.")
    assert not Customer.objects.filter(status="inactive").exists()
    expect(page.get_by_role("button", name="Undo")).to_have_count(0)


@pytest.mark.parametrize("size", ["wide", "phone"])
def test_assign_an_account_manager_and_undo(page, sign_in, live_server, boss, customers, size):
    marta = UserFactory(username="marta", first_name="Marta", last_name="Gestora")
    UserFactory(username="nico", first_name="Nico", last_name="Nuevo")
    Customer.objects.update(owner=marta)
    sign_in("boss")
    page.set_viewport_size(SIZES[size])
    bar = page.get_by_role("form", name="Bulk actions")
    ana = page.locator("#customers-rows tr", has_text="Ana Sola")
    blas = page.locator("#customers-rows tr", has_text="Blas Roca")
    carla = page.locator("#customers-rows tr", has_text="Carla Vega")
    expect(ana).to_contain_text("Marta Gestora")
    page.get_by_role("checkbox", name="Select Ana Sola").check()
    page.get_by_role("checkbox", name="Select Blas Roca").check()
    expect(bar).to_contain_text("2 rows selected")
    bar.get_by_label("Action").select_option(label="Assign account manager")
    bar.get_by_label("Assign account manager").select_option(label="nico")
    bar.get_by_role("button", name="Apply").click()
    report = page.get_by_role("status").filter(has_text="rows changed")
    expect(report).to_contain_text("Assign account manager: 2 rows changed.")
    # The list comes back with the new account manager in the rows changed, only there.
    expect(ana).to_contain_text("Nico Nuevo")
    expect(blas).to_contain_text("Nico Nuevo")
    expect(carla).to_contain_text("Marta Gestora")
    assert sideways(page) == ""
    undo = report.get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    assert violations(page) == []
    undo.click()
    expect(page.get_by_role("status").filter(has_text="Undo:")).to_contain_text(
        "Undo: Assign account manager: 2 rows changed."
    )
    expect(ana).to_contain_text("Marta Gestora")
    expect(blas).to_contain_text("Marta Gestora")
    expect(page.get_by_role("button", name="Undo")).to_have_count(0)  # once only
    assert set(Customer.objects.values_list("owner__username", flat=True)) == {"marta"}
    assert sideways(page) == ""
