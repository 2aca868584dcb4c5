"""Sales orders and their lines in bulk, for the bench's warehouse figures.

``seed_orders`` writes orders with their lines through ``core.bulk`` (``COPY`` on
PostgreSQL, one prepared ``INSERT`` with ``executemany`` on SQLite), like the customer
and opportunity seeders: deterministic for a seed and an anchor, spread over the last
two years and every status, owned by the customer's account manager and team so the
dashboards' scope rules show each rep his own. Each customer prefers a few products, so
the basket analysis finds rules in them."""

import datetime
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from panorama.catalog.models import Product
from panorama.core.bulk import TableWriter, flush_all, next_id, seeded_values, utc_naive
from panorama.core.bulk_session import analyse, bulk_mode, reset_sequences
from panorama.customers.models import Customer
from panorama.sales.models import Order, OrderLine

PRODUCTS = 40
GROUP = 4  # the products a customer prefers
TAX_RATE = Decimal("21.00")
CENT = Decimal("0.01")
# (status, weight): most orders delivered, some still on their way, some cancelled.
STATUSES = (("delivered", 60), ("shipped", 10), ("confirmed", 10), ("draft", 5), ("cancelled", 15))

ORDER_COLUMNS = (
    "id",
    "customer_id",
    "owner_id",
    "team_id",
    "status",
    "currency",
    "coupon",
    "net",
    "tax",
    "total",
    "expected_delivery",
    "backorder",
    "confirmed_at",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
    "created_at",
    "updated_at",
)
LINE_COLUMNS = (
    "id",
    "order_id",
    "position",
    "product_id",
    "sku",
    "name",
    "options",
    "quantity",
    "unit_price",
    "net",
    "tax_rate",
    "tax",
    "total",
    "reserved",
    "backordered",
    "components",
)


@dataclass
class OrdersSeeded:
    orders: int
    lines: int
    seconds: float


def bench_products_ensure(count: int = PRODUCTS) -> list[tuple[int, str, str, Decimal]]:
    """The active products the orders buy: (id, sku, name, price); the first ``count``
    in id order, with bench products added when the catalogue has fewer."""
    have = Product.objects.filter(active=True).count()
    if have < count:
        Product.objects.bulk_create(
            Product(
                sku=f"BENCH-{n:03d}",
                name=f"Producto {n:03d}",
                list_price=Decimal(5 + (n * 37) % 200),
                currency="EUR",
            )
            for n in range(have + 1, count + 1)
            if not Product.objects.filter(sku=f"BENCH-{n:03d}").exists()
        )
    return [
        (pk, sku, name, price or Decimal(10))
        for pk, sku, name, price in Product.objects.filter(active=True)
        .order_by("id")
        .values_list("pk", "sku", "name", "list_price")[:count]
    ]


def seed_orders(
    *,
    lines: int,
    seed: int = 42,
    anchor: datetime.datetime | None = None,
    batch_size: int = 20_000,
    progress: Callable[[int, int, float], None] | None = None,
) -> OrdersSeeded:
    """Write orders of one to four lines until ``lines`` lines are written (the last
    order may have fewer), each for a customer drawn at random (some buy often, some
    never).

    The rows are built as the database stores them (``core.bulk.seeded_values``: naive
    UTC datetimes, the empty JSON lists as their text) and each product's line at each
    quantity worked out once (price, net, tax, total): the same rows as computing them
    line by line, for the same draws."""
    started = time.perf_counter()
    if lines <= 0:
        return OrdersSeeded(0, 0, 0.0)
    anchor = utc_naive(anchor or datetime.datetime.now(datetime.UTC).replace(microsecond=0))
    rng = random.Random(f"panorama-orders-{seed}")
    random_, randrange, choice = rng.random, rng.randrange, rng.choice
    products = bench_products_ensure()
    customers = list(
        Customer.objects.filter(merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", "owner_id", "team_id")
    )
    if not customers or not products:
        return OrdersSeeded(0, 0, time.perf_counter() - started)
    # Each product's line at each quantity: the columns after the position.
    priced = [_priced(product) for product in products]
    groups = [priced[i : i + GROUP] for i in range(0, len(priced), GROUP)]
    statuses = [s for s, _ in STATUSES]
    cumulative = list(itertools.accumulate(w for _, w in STATUSES))
    days = [datetime.timedelta(days=n) for n in range(730)]
    minutes = [datetime.timedelta(minutes=n) for n in range(1440)]
    two_hours, one_day, five_days = (
        datetime.timedelta(hours=2),
        datetime.timedelta(days=1),
        datetime.timedelta(days=5),
    )
    orders_out = TableWriter(Order, ORDER_COLUMNS, converters=seeded_values)
    lines_out = TableWriter(OrderLine, LINE_COLUMNS, converters=seeded_values)
    add_order, add_line = orders_out.rows.append, lines_out.rows.append
    order_id, line_id = next_id(Order), next_id(OrderLine)
    made_orders = made_lines = 0
    zero = Decimal(0)
    with bulk_mode():
        while made_lines < lines:
            customer_id, owner_id, team_id = customers[randrange(len(customers))]
            liked = groups[customer_id % len(groups)]
            created = anchor - days[randrange(1, 730)] - minutes[randrange(1440)]
            status = rng.choices(statuses, cum_weights=cumulative)[0]
            net_sum = tax_sum = zero
            count = min(randrange(1, 5), lines - made_lines)
            for position in range(count):
                product = choice(liked) if random_() < 0.7 else choice(priced)
                head, at_quantity = product
                quantity, unit_price, net, tax, total = at_quantity[choice(QUANTITIES)]
                net_sum += net
                tax_sum += tax
                add_line(
                    (line_id, order_id, position, *head, EMPTY_JSON, quantity, unit_price, net)
                    + (TAX_RATE, tax, total, 0, 0, EMPTY_JSON)
                )
                line_id += 1
            confirmed = created + two_hours if status != "draft" else None
            shipped = created + one_day if status in ("shipped", "delivered") else None
            delivered = created + days[randrange(2, 9)] if status == "delivered" else None
            cancelled = created + one_day if status == "cancelled" else None
            add_order(
                (
                    order_id,
                    customer_id,
                    owner_id,
                    team_id,
                    status,
                    "EUR",
                    "",
                    net_sum,
                    tax_sum,
                    net_sum + tax_sum,
                    (created + five_days).date(),
                    False,
                    confirmed,
                    shipped,
                    delivered,
                    cancelled,
                    created,
                    # Not after the anchor (a delivery can fall after it): else the
                    # warehouse's watermark sits in the future and a refresh misses edits.
                    min(delivered or cancelled or shipped or confirmed or created, anchor),
                )
            )
            order_id += 1
            made_orders += 1
            made_lines += count
            if len(lines_out.rows) >= batch_size or made_lines >= lines:
                flush_all([orders_out, lines_out])
                add_order, add_line = orders_out.rows.append, lines_out.rows.append
                if progress:
                    progress(made_lines, lines, time.perf_counter() - started)
        reset_sequences([Order, OrderLine])
    analyse()
    return OrdersSeeded(made_orders, made_lines, time.perf_counter() - started)


QUANTITIES = (1, 1, 1, 2, 3)  # drawn with ``choice``: most lines are one unit
EMPTY_JSON = "[]"  # a line's options and components, as the column stores them


def _priced(product: tuple[int, str, str, Decimal]) -> tuple[tuple, dict]:
    """A product's line columns: (id, sku, name), and by quantity (quantity, unit price,
    net, tax, total) rounded to the cent as a line computes them."""
    product_id, sku, name, price = product
    at_quantity = {}
    for units in set(QUANTITIES):
        quantity = Decimal(units)
        net = (price * quantity).quantize(CENT)
        tax = (net * TAX_RATE / 100).quantize(CENT)
        at_quantity[units] = (quantity, price, net, tax, net + tax)
    return (product_id, sku, name), at_quantity
