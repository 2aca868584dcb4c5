"""The demo's catalogue: categories, IVA rates, about twenty products and services (one
configurable with requires / excludes / includes / choose-N rules), two price lists
("Pymes" for organisations, "Web" for the web channel), promotions (one behind a
coupon), two financing plans, and USD/GBP exchange rates. Written through the
catalogue's services (validation, events), once: nothing happens if products exist.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from panorama.catalog.models import Product
from panorama.catalog.services.financing import financing_plan_create
from panorama.catalog.services.options import (
    option_create,
    option_group_create,
    option_group_update,
    option_rule_create,
)
from panorama.catalog.services.price_lists import (
    price_list_create,
    price_list_item_set,
    promotion_create,
)
from panorama.catalog.services.products import (
    category_create,
    exchange_rate_set,
    product_create,
    tax_create,
    unit_create,
)

# sku, name, kind, category, unit, tax, price, currency, stock (None: untracked), lead days
PRODUCTS = [
    ("RT-WIFI6", "Router WiFi 6", "product", "Redes", "ud", "iva21", "89.00", "EUR", 40, 3),
    ("RT-MESH", "Kit Mesh (3 nodos)", "product", "Redes", "ud", "iva21", "149.00", "EUR", 12, 5),
    ("CAB-RJ45", "Cable de red 5 m", "product", "Redes", "ud", "iva21", "4.90", "EUR", 500, 2),
    ("SAI-600", "SAI 600 VA", "product", "Redes", "ud", "iva21", "119.00", "EUR", 8, 7),
    (
        "TPV-MOVIL",
        "Terminal TPV móvil",
        "product",
        "Terminales",
        "ud",
        "iva21",
        "199.00",
        "EUR",
        25,
        3,
    ),
    (
        "TPV-FIJO",
        "Terminal TPV sobremesa",
        "product",
        "Terminales",
        "ud",
        "iva21",
        "249.00",
        "EUR",
        0,
        10,
    ),
    (
        "MOV-SMART",
        "Smartphone gama media",
        "product",
        "Terminales",
        "ud",
        "iva21",
        "329.00",
        "EUR",
        60,
        2,
    ),
    (
        "MOV-TABLET",
        "Tablet 10 pulgadas",
        "product",
        "Terminales",
        "ud",
        "iva21",
        "279.00",
        "EUR",
        15,
        4,
    ),
    (
        "PACK-FIBRA",
        "Pack Empresa Fibra",
        "service",
        "Conectividad",
        "mes",
        "iva21",
        "49.90",
        "EUR",
        None,
        5,
    ),
    (
        "MOV-LINEA",
        "Línea móvil empresa",
        "service",
        "Conectividad",
        "mes",
        "iva21",
        "15.00",
        "EUR",
        None,
        1,
    ),
    (
        "SRV-INST",
        "Instalación en oficina",
        "service",
        "Servicios",
        "ud",
        "iva21",
        "60.00",
        "EUR",
        None,
        3,
    ),
    ("SRV-SOP", "Soporte 24/7", "service", "Servicios", "mes", "iva21", "19.90", "EUR", None, 0),
    (
        "SRV-FORM",
        "Formación a medida",
        "service",
        "Servicios",
        "h",
        "iva21",
        "45.00",
        "EUR",
        None,
        7,
    ),
    (
        "SRV-MIGR",
        "Migración de datos",
        "service",
        "Servicios",
        "ud",
        "iva21",
        "350.00",
        "EUR",
        None,
        10,
    ),
    (
        "SRV-CATER",
        "Desayuno de trabajo",
        "service",
        "Servicios",
        "ud",
        "iva10",
        "12.00",
        "EUR",
        None,
        2,
    ),
    (
        "SW-CRM",
        "Software de gestión (licencia)",
        "service",
        "Software",
        "mes",
        "iva21",
        "29.00",
        "USD",
        None,
        0,
    ),
    (
        "SW-OFFICE",
        "Ofimática en la nube",
        "service",
        "Software",
        "mes",
        "iva21",
        "12.50",
        "USD",
        None,
        0,
    ),
    (
        "SW-ANTIV",
        "Antivirus para empresas",
        "service",
        "Software",
        "mes",
        "iva21",
        "4.50",
        "GBP",
        None,
        0,
    ),
    (
        "SEG-CIBER",
        "Ciberseguro pymes",
        "service",
        "Seguros",
        "ud",
        "exento",
        "240.00",
        "EUR",
        None,
        0,
    ),
    (
        "LIB-GUIA",
        "Guía de digitalización (libro)",
        "product",
        "Publicaciones",
        "ud",
        "iva4",
        "24.00",
        "EUR",
        100,
        3,
    ),
]
CATEGORIES = {
    "Hardware": ["Redes", "Terminales"],
    "Servicios y conectividad": ["Conectividad", "Servicios", "Software", "Seguros"],
    "Otros": ["Publicaciones"],
}


def _pack_options(pack: Product) -> None:
    """Pack Empresa Fibra: speed (choose 1), mobile lines (1 to 3), extras with rules."""
    speed = option_group_create(
        by=None, product=pack, code="velocidad", name="Velocidad", max_choices=1
    )
    lines = option_group_create(
        by=None,
        product=pack,
        code="lineas",
        name="Líneas móviles",
        max_choices=3,
        position=1,
    )
    made = {}
    for position, (code, name, price, group) in enumerate(
        [
            ("fibra300", "Fibra 300 Mb", "0", speed),
            ("fibra1g", "Fibra 1 Gb", "15", speed),
            ("movil_basico", "Móvil básico 10 GB", "10", lines),
            ("movil_ilimitado", "Móvil ilimitado", "20", lines),
            ("movil_datos", "Móvil solo datos", "12", lines),
            ("ip_fija", "IP fija", "8", None),
            ("tv", "Televisión", "9", None),
            ("centralita", "Centralita virtual", "25", None),
        ]
    ):
        made[code] = option_create(
            by=None,
            product=pack,
            code=code,
            name=name,
            price=price,
            group=group,
            position=position,
        )
    # A group that must be chosen from gets its options first.
    for group in (speed, lines):
        option_group_update(by=None, group=group, changes={"min_choices": 1})
    option_create(
        by=None,
        product=pack,
        code="instalacion",
        name="Instalación",
        price="60",
        included=True,
        position=20,
    )
    option_rule_create(by=None, option=made["ip_fija"], kind="requires", target=made["fibra1g"])
    option_rule_create(by=None, option=made["tv"], kind="excludes", target=made["fibra300"])
    option_rule_create(by=None, option=made["centralita"], kind="includes", target=made["ip_fija"])


@transaction.atomic
def catalog_demo_ensure(today: datetime.date | None = None) -> int:
    """Write the demo catalogue into an empty catalogue; the number of products made."""
    if Product.objects.exists():
        return 0
    today = today or timezone.localdate()
    year_start = datetime.date(today.year, 1, 1)
    units = {
        code: unit_create(by=None, code=code, name=name)
        for code, name in [("ud", "Unidad"), ("h", "Hora"), ("mes", "Mes")]
    }
    taxes = {
        code: tax_create(by=None, code=code, name=name, rate=rate)
        for code, name, rate in [
            ("iva21", "IVA general 21 %", "21"),
            ("iva10", "IVA reducido 10 %", "10"),
            ("iva4", "IVA superreducido 4 %", "4"),
            ("exento", "Exento de IVA", "0"),
        ]
    }
    categories = {}
    for parent_name, children in CATEGORIES.items():
        parent = category_create(by=None, name=parent_name)
        for child in children:
            categories[child] = category_create(by=None, name=child, parent=parent)
    exchange_rate_set(by=None, currency="USD", rate="0.92", valid_from=year_start)
    exchange_rate_set(by=None, currency="GBP", rate="1.17", valid_from=year_start)
    products = {}
    for sku, name, kind, category, unit, tax, price, currency, stock, lead in PRODUCTS:
        products[sku] = product_create(
            by=None,
            sku=sku,
            name=name,
            kind=kind,
            category_id=categories[category].pk,
            unit_id=units[unit].pk,
            tax_id=taxes[tax].pk,
            list_price=Decimal(price),
            currency=currency,
            track_stock=stock is not None,
            stock_on_hand=stock or 0,
            lead_time_days=lead,
            description=f"{name}: producto de demostración del catálogo de Panorama.",
        )
    _pack_options(products["PACK-FIBRA"])
    # Every organisation is a "pyme" to the demo (segment = the customer's kind).
    pymes = price_list_create(
        by=None, code="pymes", name="Pymes", segment="organisation", valid_from=year_start
    )
    for sku, price in [("RT-WIFI6", "79.00"), ("TPV-MOVIL", "179.00"), ("SRV-INST", "50.00")]:
        price_list_item_set(by=None, price_list=pymes, product=products[sku], price=price)
    price_list_item_set(
        by=None, price_list=pymes, product=products["MOV-SMART"], price="299.00", min_quantity=5
    )
    price_list_item_set(
        by=None, price_list=pymes, product=products["PACK-FIBRA"], discount_percent="10"
    )
    web = price_list_create(by=None, code="web", name="Web", channel="web", valid_from=year_start)
    for sku in ("RT-WIFI6", "RT-MESH", "MOV-SMART", "MOV-TABLET", "CAB-RJ45", "LIB-GUIA"):
        price_list_item_set(by=None, price_list=web, product=products[sku], discount_percent="5")
    promotion_create(
        by=None,
        code="black-friday",
        name="Black Friday hardware",
        kind="percent",
        value="15",
        coupon_code="BLACKFRIDAY",
        valid_from=today - datetime.timedelta(days=10),
        valid_until=today + datetime.timedelta(days=60),
        max_uses=500,
        categories=[categories["Redes"], categories["Terminales"]],
    )
    promotion_create(
        by=None,
        code="nomina-fibra",
        name="Clientes con Cuenta Nómina",
        kind="percent",
        value="10",
        holding_codes=["ACC-NOM"],
        products=[products["PACK-FIBRA"]],
    )
    promotion_create(
        by=None,
        code="3x2-cables",
        name="3x2 en cables",
        kind="buy_x_get_y",
        buy_quantity=2,
        free_quantity=1,
        products=[products["CAB-RJ45"]],
    )
    financing_plan_create(
        by=None,
        code="12m-5",
        name="12 meses al 5 %",
        instalments=12,
        annual_rate="5",
        opening_fee_percent="1",
        min_amount="300",
    )
    financing_plan_create(
        by=None,
        code="24m-0",
        name="24 meses sin intereses",
        instalments=24,
        annual_rate="0",
        opening_fee_percent="2.5",
        min_amount="600",
    )
    return len(products)
