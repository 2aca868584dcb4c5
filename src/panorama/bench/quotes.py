"""The bench's quote figures, in process (the service is what is timed):
``quote_price_p50_ms`` prices a 10-line quote of a configurable product with options and
an automatic promotion; ``quote_pdf_p50_ms`` renders that quote's PDF with WeasyPrint.

``bench_catalogue`` gives the bench database its small catalogue once (by SKU)."""

import time
from collections.abc import Callable
from decimal import Decimal

from panorama.catalog.models import Product, Promotion
from panorama.catalog.services.options import (
    option_create,
    option_group_create,
    option_group_update,
)
from panorama.catalog.services.price_lists import promotion_create
from panorama.catalog.services.pricing import LineIn, price_lines
from panorama.customers.models import Customer

from . import measure

SKU = "BENCH-PACK"
PRICINGS = 200
PDFS = 20
WARM_UP = 5


def bench_catalogue() -> Product:
    product = Product.objects.filter(sku=SKU).first()
    if product is not None:
        return product
    product = Product.objects.create(sku=SKU, name="Pack bench", list_price=Decimal("50.00"))
    speed = option_group_create(by=None, product=product, code="speed", name="Speed", max_choices=1)
    for code, price in (("s300", "0"), ("s1g", "15")):
        option_create(by=None, product=product, code=code, name=code, price=price, group=speed)
    option_group_update(by=None, group=speed, changes={"min_choices": 1})
    option_create(by=None, product=product, code="tv", name="TV", price="9")
    if not Promotion.objects.filter(code="bench-promo").exists():
        promotion_create(
            by=None,
            code="bench-promo",
            name="Bench",
            kind="percent",
            value="10",
            products=[product],
        )
    return product


def _lines(product: Product) -> list[LineIn]:
    return [
        LineIn(product.pk, quantity=n + 1, options=("s1g", "tv") if n % 2 else ("s300",))
        for n in range(10)
    ]


def _times(run: Callable[[], object], count: int) -> list[float]:
    for _ in range(WARM_UP):
        run()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure_all(say: Callable[[str], None]) -> dict:
    from panorama.sales.pdf import quote_pdf
    from panorama.sales.services.quote import LineData, quote_create

    product = bench_catalogue()
    customer = Customer.objects.order_by("pk").first()
    assert customer is not None, "the bench database has customers"
    lines = _lines(product)
    say("Measuring the pricing of a 10-line quote...")
    times = _times(lambda: price_lines(lines=lines, customer=customer), PRICINGS)
    out = {"quote_price_p50_ms": round(measure.p50(times), 2)}
    say("Measuring the quote PDF...")
    quote = quote_create(
        by=None,
        customer_id=customer.pk,
        lines=[LineData(line.product_id, line.quantity, line.options) for line in lines],
    )
    times = _times(lambda: quote_pdf(quote), PDFS)
    out["quote_pdf_p50_ms"] = round(measure.p50(times), 2)
    return out
