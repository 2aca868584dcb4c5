# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""The Django admin lists every sales and catalogue record; quotes, orders and the other
records worked through their services are read only there, with a link to the app."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from panorama.sales.models import Order, Quote
from panorama.sales.services.order import order_from_quote
from panorama.sales.services.quote import LineData, quote_create

from .quote_world import buyer, manager, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

# Shown inside their parent's page (a lead import's rows can be thousands: its page).
INLINE_ONLY = {
    "StageTotal",  # not an admin's to edit: kept by database triggers (the board's totals)
    "LeadActivity",
    "LeadImportRow",
    "OpportunityProduct",
    "Stage",
    "StageChange",
    "QuoteLine",
    "OrderLine",
    "OrderPromotion",
    "PriceListItem",
}


@pytest.mark.parametrize("label", ["sales", "catalog"])
def test_every_model_is_in_the_admin(label):
    missing = [
        model.__name__
        for model in apps.get_app_config(label).get_models()
        if not admin.site.is_registered(model) and model.__name__ not in INLINE_ONLY
    ]
    assert missing == []


def test_an_administrator_reads_quotes_and_orders_but_cannot_change_them(
    client, admin_user, rep, buyer, world
):
    quote = quote_create(
        by=rep,
        customer_id=buyer.pk,
        lines=[LineData(product_id=world["pack"].pk, options=["fibra1g", "movil_basico"])],
    )
    order = order_from_quote(quote=quote, by=None)
    client.force_login(admin_user)

    listing = client.get("/admin/sales/quote/").content.decode()
    assert quote.reference in listing and reverse("sales:quote_detail", args=[quote.pk]) in listing
    page = client.get(f"/admin/sales/quote/{quote.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pack Empresa Fibra" in text and "fibra1g" in text  # its lines
    assert 'name="_save"' not in text  # read only
    assert (
        client.post(f"/admin/sales/quote/{quote.pk}/change/", {"status": "accepted"}).status_code
        == 403
    )
    assert client.get("/admin/sales/quote/add/").status_code == 403
    assert Quote.objects.get(pk=quote.pk).status == "draft"

    assert order.reference in client.get("/admin/sales/order/").content.decode()
    assert client.get(f"/admin/sales/order/{order.pk}/change/").status_code == 200
    assert client.post(f"/admin/sales/order/{order.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Order.objects.filter(pk=order.pk).exists()


def test_the_admin_lists_stay_a_few_queries(
    client, admin_user, rep, buyer, world, django_assert_max_num_queries
):
    for _ in range(5):
        quote_create(by=rep, customer_id=buyer.pk, lines=[LineData(product_id=world["router"].pk)])
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        assert client.get("/admin/sales/quote/").status_code == 200
