"""A small priced catalogue for the quote tests, dated from today (quotes price today):

- Router (RT): 100.00 EUR, IVA 21 %, 5 in stock, 7 days' lead time.
- Pack Empresa Fibra: 50.00 EUR + options (tests/catalog/configurable.py), IVA 21 %.
- Licencia (LIC): 200.00 GBP: no exchange rate for GBP.
- Promotion "Otoño" (automatic, valid around today): 10 % off the Router.
- Coupon BIENVENIDA: 5.00 EUR off per unit, 100 uses. Coupon VERANO: expired yesterday.
- Price list "Tarifa vieja": expired yesterday.
- Financing plan "12 meses" at 6 % nominal.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.catalog.services.financing import financing_plan_create
from panorama.catalog.services.price_lists import (
    price_list_create,
    price_list_item_set,
    promotion_create,
)
from tests.catalog.configurable import fibre_pack
from tests.catalog.factories import ProductFactory
from tests.factories import CustomerFactory, IdentityFactory, UserFactory


def quote_world() -> dict:
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    router = ProductFactory(
        sku="RT",
        name="Router",
        list_price=Decimal("100.00"),
        track_stock=True,
        stock_on_hand=5,
        lead_time_days=7,
    )
    licence = ProductFactory(
        sku="LIC", name="Licencia", list_price=Decimal("200.00"), currency="GBP"
    )
    pack = fibre_pack()
    old = price_list_create(by=None, code="vieja", name="Tarifa vieja", valid_until=yesterday)
    price_list_item_set(by=None, price_list=old, product=router, price="70.00")
    otono = promotion_create(
        by=None,
        code="otono",
        name="Otoño",
        kind="percent",
        value="10",
        valid_from=today - datetime.timedelta(days=30),
        valid_until=today + datetime.timedelta(days=60),
        products=[router],
    )
    bienvenida = promotion_create(
        by=None,
        code="bienvenida",
        name="Bienvenida",
        kind="amount",
        value="5",
        coupon_code="bienvenida",
        max_uses=100,
    )
    promotion_create(
        by=None,
        code="verano",
        name="Verano",
        kind="percent",
        value="10",
        coupon_code="VERANO",
        valid_until=yesterday,
    )
    plan = financing_plan_create(
        by=None, code="12m", name="12 meses", instalments=12, annual_rate="6"
    )
    return {
        "router": router,
        "licence": licence,
        "pack": pack,
        "otono": otono,
        "bienvenida": bienvenida,
        "plan": plan,
    }


@pytest.fixture
def world(db):
    return quote_world()


@pytest.fixture
def manager(db, team):
    return UserFactory(
        username="jefa", role=Role.SALES_MANAGER, managed_teams=[team], email="jefa@example.com"
    )


@pytest.fixture
def buyer(db, team, rep):
    customer = CustomerFactory(
        first_name="Lucía", last_name="Gómez", owner=rep, team=team, language="es"
    )
    IdentityFactory(customer=customer, value="lucia@example.com", is_primary=True)
    return customer
