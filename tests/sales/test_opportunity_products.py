"""Products on an opportunity: lines of the catalogue with a quantity, set through
opportunity_update (service, API, page); bad quantities refused naming the field; in the
win/loss analysis by product; USD amounts converted with the catalogue's rates."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from panorama.core.exceptions import ValidationFailed
from panorama.sales.models import Opportunity, OpportunityProduct
from panorama.sales.services.opportunity import (
    opportunity_move,
    opportunity_update,
)
from panorama.sales.winloss import WinLossFilters, win_loss

from ..catalog.factories import ExchangeRateFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_products_are_set_and_refused_naming_the_field(rep, opp, emitted):
    router, tv = ProductFactory(name="Router"), ProductFactory(name="TV")
    with emitted() as events:
        opportunity_update(
            by=rep,
            opportunity_id=opp.pk,
            changes={
                "products": [{"product_id": router.pk, "quantity": "2"}, {"product_id": tv.pk}]
            },
        )
    lines = {line.product.name: line.quantity for line in opp.lines.all()}
    assert lines == {"Router": Decimal("2.00"), "TV": Decimal("1.00")}
    assert "products" in events[-1][1]["fields"]
    retired = ProductFactory(name="Fax", active=False)
    for products in (
        [{"product_id": router.pk, "quantity": -1}],
        [{"product_id": router.pk, "quantity": 0}],
        [{"product_id": router.pk, "quantity": "x"}],
        [{"product_id": router.pk}, {"product_id": router.pk}],
        [{"product_id": retired.pk}],
        [{"product_id": 2**70}],
    ):
        with pytest.raises(ValidationFailed) as refused:
            opportunity_update(by=rep, opportunity_id=opp.pk, changes={"products": products})
        assert refused.value.field == "products"
    assert OpportunityProduct.objects.filter(opportunity=opp).count() == 2


def test_products_through_the_api_and_the_page(api_as, client, rep, opp):
    router = ProductFactory(name="Router")
    answer = api_as(rep).patch(
        f"/opportunities/{opp.pk}", json={"products": [{"product_id": router.pk, "quantity": 3}]}
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["products"] == [
        {"product_id": router.pk, "product_name": "Router", "quantity": "3.00"}
    ]
    bad = api_as(rep).patch(
        f"/opportunities/{opp.pk}", json={"products": [{"product_id": router.pk, "quantity": -2}]}
    )
    assert bad.status_code == 422 and "products" in bad.json()["errors"]
    client.force_login(rep)
    url = reverse("sales:opportunity_products", args=[opp.pk])
    assert client.post(url, {"remove": router.pk}).status_code == 302
    assert not opp.lines.exists()
    refused = client.post(url, {"product": router.pk, "quantity": "-1"})
    assert refused.status_code == 422 and not opp.lines.exists()
    assert client.post(url, {"product": router.pk, "quantity": "2"}).status_code == 302
    page = client.get(reverse("sales:opportunity_detail", args=[opp.pk])).content.decode()
    assert "Router" in page


def test_win_loss_by_product(rep, opp, pipeline):
    router = ProductFactory(name="Router")
    opportunity_update(
        by=rep, opportunity_id=opp.pk, changes={"products": [{"product_id": router.pk}]}
    )
    opportunity_move(by=rep, opportunity_id=opp.pk, stage_id=pipeline.stages.get(name="Won").pk)
    data = win_loss(user=rep, filters=WinLossFilters())
    assert [(r["product"], r["won"], r["won_amount"]) for r in data["by_product"]] == [
        ("Router", 1, Decimal("100.00"))
    ]


def test_an_amount_in_another_currency_is_converted(rep, opp):
    ExchangeRateFactory(currency="USD", rate=Decimal("0.9"), valid_from=datetime.date(2020, 1, 1))
    opportunity_update(by=rep, opportunity_id=opp.pk, changes={"amount": "1000", "currency": "usd"})
    again = Opportunity.objects.get(pk=opp.pk)
    assert (again.currency, again.amount_base) == ("USD", Decimal("900.00"))
