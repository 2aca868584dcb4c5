"""A small priced catalogue for the pricing tests; every figure in the tests is worked
out by hand from these numbers.

- Router (RT): 100.00 EUR, IVA 21 %.
- Licencia (LIC): 200.00 USD, IVA 21 %; 1 USD = 0.90 EUR from 2026-01-01.
- Pack Empresa Fibra: 50.00 EUR + options (see configurable.py), IVA 21 %.
- Price list "Pymes" (segment pymes, EUR): Router 90.00 from 1 unit, 80.00 from 10.
- Price list "Web" (channel web, EUR): Router 5 % off.
- Price list "Tarifa 2025" (EUR, until 2025-12-31): Router 70.00.
- Promotion "Otoño" (automatic, 2026-09-01..2026-12-31): 10 % off the Router.
- Promotion "Clientes con nómina" (automatic, holders of CTA-NOMINA): 15 % off the Router.
- Promotion "3x2" (automatic): Licencia, buy 2 get 1 free.
- Coupon BIENVENIDA: 5.00 EUR off per unit, any product, 100 uses.
- Coupon VERANO: 10 % off, until 2026-08-31.
- Coupon PYMES10: 10 % off, segment pymes only.
- Coupon LIC: 20 % off the Licencia only.
"""

import datetime
from decimal import Decimal

from panorama.catalog.services.price_lists import (
    price_list_create,
    price_list_item_set,
    promotion_create,
)
from panorama.catalog.services.products import exchange_rate_set

from .configurable import fibre_pack
from .factories import ProductFactory

DAY = datetime.date(2026, 12, 1)


def pricing_world() -> dict:
    router = ProductFactory(sku="RT", name="Router", list_price=Decimal("100.00"))
    licence = ProductFactory(
        sku="LIC", name="Licencia", list_price=Decimal("200.00"), currency="USD"
    )
    pack = fibre_pack()
    exchange_rate_set(by=None, currency="USD", rate="0.90", valid_from=datetime.date(2026, 1, 1))
    pymes = price_list_create(by=None, code="pymes", name="Pymes", segment="Pymes")
    price_list_item_set(by=None, price_list=pymes, product=router, price="90.00")
    price_list_item_set(by=None, price_list=pymes, product=router, price="80.00", min_quantity=10)
    web = price_list_create(by=None, code="web", name="Web", channel="web")
    price_list_item_set(by=None, price_list=web, product=router, discount_percent="5")
    old = price_list_create(
        by=None, code="tarifa2025", name="Tarifa 2025", valid_until=datetime.date(2025, 12, 31)
    )
    price_list_item_set(by=None, price_list=old, product=router, price="70.00")
    promotion_create(
        by=None,
        code="otono",
        name="Otoño",
        kind="percent",
        value="10",
        valid_from=datetime.date(2026, 9, 1),
        valid_until=datetime.date(2026, 12, 31),
        products=[router],
    )
    promotion_create(
        by=None,
        code="nomina",
        name="Clientes con nómina",
        kind="percent",
        value="15",
        holding_codes=["CTA-NOMINA"],
        products=[router],
    )
    promotion_create(
        by=None,
        code="3x2",
        name="3x2",
        kind="buy_x_get_y",
        buy_quantity=2,
        free_quantity=1,
        products=[licence],
    )
    promotion_create(
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
        valid_until=datetime.date(2026, 8, 31),
    )
    promotion_create(
        by=None,
        code="pymes10",
        name="Pymes 10",
        kind="percent",
        value="10",
        coupon_code="PYMES10",
        segments=["pymes"],
    )
    promotion_create(
        by=None,
        code="lic",
        name="Licencias",
        kind="percent",
        value="20",
        coupon_code="LIC",
        products=[licence],
    )
    return {"router": router, "licence": licence, "pack": pack}
