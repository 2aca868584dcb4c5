# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""A campaign's offer bought in an order counts: a targeted customer whose order with the
offered product (its SKU) is confirmed after the launch is converted, and the line's net
amount (in the company currency) is the campaign's revenue; a cancelled order, an order
placed before the launch and another product do not count, and the control group is
measured by the same test."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from panorama.marketing.models import Recipient
from panorama.marketing.selectors import campaign_results
from panorama.marketing.services.campaigns import campaign_launch, campaign_save
from panorama.marketing.services.segments import list_create
from panorama.marketing.services.templates import template_save
from panorama.sales.models import Order
from panorama.sales.services.order import order_create, order_transition
from panorama.sales.services.quote import LineData
from tests.factories import ConsentFactory
from tests.sales.quote_world import buyer, world  # noqa: F401 (fixtures)

from .conftest import person

pytestmark = pytest.mark.django_db


def _placed(rep, customer, product, quantity=1, *, confirm=True):
    order = order_create(
        by=rep, customer_id=customer.pk, lines=[LineData(product_id=product.pk, quantity=quantity)]
    )
    if confirm:
        order_transition(by=rep, order_id=order.pk, to="confirmed")
    return Order.objects.get(pk=order.pk)


def test_an_order_of_the_offer_converts_and_brings_its_revenue(marketer, rep, buyer, world, smtp):
    ConsentFactory(customer=buyer, granted=True)
    other = person("Otro Cliente", email_address="otro@example.com")
    other.owner, other.team = rep, buyer.team
    other.save()
    before = _placed(rep, buyer, world["router"])  # before the launch: not the campaign's
    group = list_create(by=marketer, name="Routers", customer_ids=[buyer.pk, other.pk])
    template = template_save(by=marketer, name="R", subject_es="Router", body_es="Hola")
    campaign = campaign_save(
        by=marketer,
        changes={
            "name": "Router nuevo",
            "static_list": group,
            "template": template,
            "control_percent": 0,
            "offer_product_code": "RT",
            "cost": Decimal("100"),
        },
    )
    campaign_launch(by=marketer, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.launched_at
    Order.objects.filter(pk=before.pk).update(
        confirmed_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert campaign_results(campaign=campaign).converted == 0

    bought = _placed(rep, buyer, world["router"], quantity=2)
    _placed(rep, other, world["router"], confirm=False)  # a draft is not a sale yet
    results = campaign_results(campaign=campaign)
    line = bought.lines.get()
    assert results.converted == 1
    assert results.revenue == line.net  # the company currency's order
    assert results.roi == pytest.approx(float((line.net - 100) / 100))

    order_transition(by=rep, order_id=bought.pk, to="cancelled")
    results = campaign_results(campaign=campaign)
    assert (results.converted, results.revenue) == (0, Decimal(0))
    assert not Recipient.objects.filter(campaign=campaign, converted_at__isnull=False).exists()
