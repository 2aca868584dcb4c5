"""The price lists, promotions and financing plans lists deactivate (and activate) in
bulk through their own update services, for catalogue managers only: each row saved
with ``price_list_update`` / ``promotion_update`` / ``financing_plan_update``."""

import pytest

from panorama.catalog.models import FinancingPlan, PriceList, Promotion
from panorama.catalog.services.financing import financing_plan_create
from panorama.catalog.services.price_lists import price_list_create, promotion_create

from ..lists import bulk_keys, list_bulk

pytestmark = pytest.mark.django_db


@pytest.fixture
def terms(manager):
    return {
        "price_lists": price_list_create(by=manager, code="pymes", name="Pymes"),
        "promotions": promotion_create(
            by=manager, code="otono", name="Otoño", kind="percent", value="10"
        ),
        "financing_plans": financing_plan_create(
            by=manager, code="12m", name="12 meses", instalments=12, annual_rate="6"
        ),
    }


@pytest.mark.parametrize(
    "list_name,url,model",
    [
        ("price_lists", "/catalog/price-lists/", PriceList),
        ("promotions", "/catalog/promotions/", Promotion),
        ("financing_plans", "/catalog/financing-plans/", FinancingPlan),
    ],
)
def test_a_manager_deactivates_in_bulk_and_a_rep_may_not(
    client, manager, rep, terms, list_name, url, model
):
    row = terms[list_name]
    client.force_login(rep)
    assert "active" not in bulk_keys(client.get(url))
    refused = list_bulk(client, list_name, action="active", **{"value-active": "off"}, ids=[row.pk])
    assert "Choose an action." in refused.content.decode()
    assert model.objects.get(pk=row.pk).active is True
    client.force_login(manager)
    done = list_bulk(client, list_name, action="active", **{"value-active": "off"}, ids=[row.pk])
    assert done.context["list"].report.done == 1
    assert model.objects.get(pk=row.pk).active is False
