"""The catalogue's products, the service contracts, the loyalty programmes and the lead
settings on the shared list, in Chromium on a phone (375 px): each page draws its rows
as cards with no sideways scroll and no axe violation; on the products a filter chip
narrows the rows and lands in the URL, a bulk action goes through the service
(products deactivated, a contract renewed) with its report, a price is edited in place
(a refused one shows the service's message in the card) and the rows are exported."""

import csv
import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from panorama.catalog.models import Product
from panorama.loyalty.services.programmes import programme_save
from panorama.sales.models import AssignmentRule, ScoringRule, WebForm
from panorama.service.models import ServiceContract
from panorama.service.services.asset import contract_create
from tests.browser.checks import sideways, violations
from tests.catalog.factories import ProductFactory
from tests.factories import AdminFactory, CustomerFactory, TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _fits(page):
    assert violations(page) == [], page.url
    assert sideways(page) == "", page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_other_lists_on_a_phone(page, sign_in, live_server):
    AdminFactory(username="boss")
    ProductFactory(name="Router 5G", sku="RT-5G", kind="product")
    ProductFactory(name="Instalación a domicilio", sku="SV-INST", kind="service")
    customer = CustomerFactory(first_name="Lucía", last_name="Gómez")
    today = timezone.localdate()
    contract = contract_create(
        by=None,
        customer_id=customer.pk,
        name="Mantenimiento Oro",
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today + datetime.timedelta(days=20),
    )
    programme_save(by=None, name="Club Panorama")
    ScoringRule.objects.create(
        name="Director", field="job_title", operator="contains", value="dir", points=10
    )
    team = TeamFactory(name="Inbound")
    AssignmentRule.objects.create(name="Madrid", kind="round_robin", team=team)
    WebForm.objects.create(name="Contacto", team=team)
    page.set_viewport_size(PHONE)
    sign_in("boss")
    base = live_server.url

    page.goto(f"{base}/catalog/")
    expect(page.locator("#products-list")).to_contain_text("Router 5G")
    _fits(page)
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("combobox", name="Kind").select_option("service")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="Remove filter Kind: Service")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/catalog/\?kind=service$"))
    expect(page.locator("#products-list")).not_to_contain_text("Router 5G")
    page.get_by_role("checkbox", name="Select Instalación a domicilio").check()
    bar = page.get_by_role("form", name="Bulk actions")
    bar.get_by_label("Action").select_option(label="Activate or deactivate")
    bar.get_by_label("Activate or deactivate").select_option(label="Inactive")
    bar.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status").filter(has_text="Activate or deactivate")).to_contain_text(
        "1 row changed"
    )
    assert Product.objects.get(sku="SV-INST").active is False
    _fits(page)

    # On the phone's card: a price edited in place through product_update, a refused one
    # with the service's message in the card (nothing saved), then the shown rows
    # exported as CSV.
    page.goto(f"{base}/catalog/?kind=product")
    page.get_by_role("button", name="Edit List price of Router 5G").click()
    price = page.get_by_role("textbox", name="List price")
    price.fill("12.50")
    price.press("Enter")
    expect(page.get_by_role("button", name="Edit List price of Router 5G")).to_be_focused()
    assert Product.objects.get(sku="RT-5G").list_price == Decimal("12.50")
    page.get_by_role("button", name="Edit List price of Router 5G").click()
    price.fill("-1")
    price.press("Enter")
    card = page.locator("#products-rows tr[id]").first
    expect(card.get_by_role("alert")).to_have_text("List price: A price cannot be negative.")
    assert Product.objects.get(sku="RT-5G").list_price == Decimal("12.50")
    _fits(page)
    price.press("Escape")
    page.get_by_role("checkbox", name="Select Router 5G").check()
    bar = page.get_by_role("form", name="Bulk actions")
    bar.get_by_label("Action").select_option(label="Export as CSV")
    bar.get_by_role("button", name="Apply").click()
    report = page.get_by_role("status").filter(has_text="exported")
    expect(report).to_contain_text("Export as CSV: 1 row exported.")
    with page.expect_download() as info:
        report.get_by_role("link", name="Download the file").click()
    with open(info.value.path(), encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[1][:2] == ["Router 5G", "RT-5G"] and len(rows) == 2
    _fits(page)

    page.goto(f"{base}/service/contracts/?state=in_force")
    expect(page.locator("#service_contracts-list")).to_contain_text("Mantenimiento Oro")
    _fits(page)
    page.get_by_role("checkbox", name=re.compile(r"^Select SC-")).first.check()
    bar = page.get_by_role("form", name="Bulk actions")
    bar.get_by_label("Action").select_option(label="Renew for the next period")
    bar.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status").filter(has_text="Renew")).to_contain_text("1 row changed")
    assert ServiceContract.objects.filter(renewed_from=contract).exists()

    for url, list_id, text in [
        ("/loyalty/", "#loyalty_programmes-list", "Club Panorama"),
        ("/sales/settings/leads/", "#lead_scoring_rules-list", "Director"),
        ("/sales/settings/leads/assignment/", "#lead_assignment_rules-list", "Madrid"),
        ("/sales/settings/leads/webforms/", "#lead_web_forms-list", "Contacto"),
    ]:
        page.goto(base + url)
        expect(page.locator(list_id)).to_contain_text(text)
        _fits(page)
