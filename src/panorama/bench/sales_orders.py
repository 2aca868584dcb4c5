"""The bench's sales orders: ``orders_ready`` gives the bench database its order lines
(two per customer, the issue's 2M at 1M customers) once, for the warehouse part; the
seeding time is printed."""

from collections.abc import Callable

from panorama.sales.models import OrderLine
from panorama.seeding.sales_orders import seed_orders

LINES_PER_CUSTOMER = 2


def orders_ready(*, customers: int, seed: int, say: Callable[[str], None]) -> int:
    wanted = LINES_PER_CUSTOMER * customers
    have = OrderLine.objects.count()
    if have >= wanted:
        say(f"Reusing {have:,} order lines.")
        return have
    say(f"Seeding {wanted - have:,} order lines...")

    def progress(made: int, total: int, seconds: float) -> None:
        if made == total or made % 200_000 < 20_000:
            say(f"  {made:>9,}/{total:,} order lines  {seconds:6.1f} s")

    result = seed_orders(lines=wanted - have, seed=seed, progress=progress)
    rate = (result.orders + result.lines) / result.seconds if result.seconds else 0.0
    say(
        f"Seeded {result.orders:,} orders and {result.lines:,} lines in "
        f"{result.seconds:.1f} s ({rate:,.0f} rows/s)."
    )
    return OrderLine.objects.count()
