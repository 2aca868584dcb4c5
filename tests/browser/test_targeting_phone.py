"""On a 375 px phone, in Chromium: the segment page's targeting cards (priority, the
team it is shown to, its offers; its alerts, with one switched off and a refused one) and
the ficha's "Raise an alert" page fit the window and pass axe, in both themes."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.catalog.models import Product
from panorama.marketing.services.segments import segment_save
from panorama.marketing.services.targeting import segment_alert_save, segment_targeting_set
from tests.browser.checks import sideways, violations
from tests.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _clean_in_both_themes(page) -> None:
    for theme in ("light", "dark"):
        page.evaluate(f"document.documentElement.setAttribute('data-bs-theme', '{theme}')")
        assert violations(page) == [], theme
    assert sideways(page) == ""


@pytest.fixture
def segment(db):
    marketer = UserFactory(username="marta", role=Role.MARKETING)
    team = TeamFactory(name="Banca personal de la zona norte")
    Product.objects.create(
        sku="DEP-12", name="Depósito a doce meses con interés creciente", list_price=Decimal(0)
    )
    Product.objects.create(sku="CARD-OR", name="Tarjeta Oro", list_price=Decimal(0))
    segment = segment_save(
        by=marketer,
        name="Clientes con cuenta y sin tarjeta",
        rules={"field": "language", "op": "eq", "value": "es"},
    )
    segment_targeting_set(
        by=marketer,
        segment=segment,
        priority=80,
        team_id=team.pk,
        offer_ids=list(Product.objects.values_list("pk", flat=True)),
    )
    segment_alert_save(
        by=marketer,
        segment=segment,
        text="Ofrecer la tarjeta oro antes del viernes: la campaña de otoño acaba entonces",
        level="warning",
    )
    segment_alert_save(
        by=marketer, segment=segment, text="Revisar la domiciliación", level="info", active=False
    )
    return segment


def test_the_segment_targeting_cards_on_a_phone(page, sign_in, live_server, segment):
    page.set_viewport_size(PHONE)
    sign_in("marta")
    page.goto(f"{live_server.url}/marketing/segments/{segment.pk}/")
    cards = page.locator(
        "[aria-labelledby='targeting-title'], [aria-labelledby='segment-alerts-title']"
    )
    expect(cards).to_have_count(2)
    expect(page.locator("[data-segment-alert]")).to_have_count(2)
    expect(page.locator("#targeting-priority")).to_have_value("80")
    _clean_in_both_themes(page)

    # An alert refused (no text): the form says so in place, still clean.
    page.evaluate("document.documentElement.setAttribute('data-bs-theme', 'light')")
    page.get_by_role("button", name="Add the alert").click()
    expect(page.locator("#segment-alert-text")).to_have_attribute("aria-invalid", "true")
    _clean_in_both_themes(page)


def test_the_raise_an_alert_page_on_a_phone(page, sign_in, live_server, db):
    team = TeamFactory(name="Oficina centro")
    UserFactory(username="rep", first_name="Rosa", role=Role.SALES_REP, teams=[team])
    UserFactory(username="carmen", first_name="Carmen", role=Role.SALES_REP, teams=[team])
    customer = CustomerFactory(first_name="Lucía", last_name="Gómez de la Serna")
    customer.owner = UserFactory._meta.model.objects.get(username="rep")
    customer.save(update_fields=["owner"])
    page.set_viewport_size(PHONE)
    sign_in("rep")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.locator("#alert-raise").click()  # the ficha's alerts panel: Raise an alert
    page.wait_for_url(f"**/automation/customers/{customer.pk}/alerts/new/")
    expect(page.get_by_role("heading", name="Raise an alert")).to_be_visible()
    _clean_in_both_themes(page)

    # Sent without a title: refused in place, still clean.
    page.evaluate("document.documentElement.setAttribute('data-bs-theme', 'light')")
    page.get_by_role("button", name="Raise the alert").click()
    expect(page.locator("#alert-new-form [aria-invalid='true']").first).to_be_visible()
    _clean_in_both_themes(page)
