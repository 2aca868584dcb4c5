"""A configurable product for the tests: a business fibre pack with rules.

- "Velocidad" (choose exactly 1): fibra300, fibra1g (+15)
- "Líneas móviles" (1 to 2): movil_basico (+10), movil_ilimitado (+20), movil_datos (+12)
- instalacion: included with the product
- ip_fija (+8) requires fibra1g
- tv (+9) excludes fibra300
- centralita (+25) includes ip_fija
"""

from decimal import Decimal

from panorama.catalog.services.options import (
    option_create,
    option_group_create,
    option_group_update,
    option_rule_create,
)

from .factories import ProductFactory


def fibre_pack(**product_fields):
    pack = ProductFactory(
        sku="PACK-FIBRA", name="Pack Empresa Fibra", list_price=Decimal("50.00"), **product_fields
    )
    speed = option_group_create(
        by=None, product=pack, code="velocidad", name="Velocidad", max_choices=1
    )
    lines = option_group_create(
        by=None, product=pack, code="lineas", name="Líneas móviles", max_choices=2
    )
    o = {}
    for code, name, price, group in [
        ("fibra300", "Fibra 300 Mb", "0", speed),
        ("fibra1g", "Fibra 1 Gb", "15", speed),
        ("movil_basico", "Móvil básico", "10", lines),
        ("movil_ilimitado", "Móvil ilimitado", "20", lines),
        ("movil_datos", "Móvil solo datos", "12", lines),
        ("ip_fija", "IP fija", "8", None),
        ("tv", "Televisión", "9", None),
        ("centralita", "Centralita virtual", "25", None),
    ]:
        o[code] = option_create(
            by=None, product=pack, code=code, name=name, price=Decimal(price), group=group
        )
    # A group that must be chosen from gets its options first.
    for group in (speed, lines):
        option_group_update(by=None, group=group, changes={"min_choices": 1})
    o["instalacion"] = option_create(
        by=None, product=pack, code="instalacion", name="Instalación", price="60", included=True
    )
    option_rule_create(by=None, option=o["ip_fija"], kind="requires", target=o["fibra1g"])
    option_rule_create(by=None, option=o["tv"], kind="excludes", target=o["fibra300"])
    option_rule_create(by=None, option=o["centralita"], kind="includes", target=o["ip_fija"])
    return pack
