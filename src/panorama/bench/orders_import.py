"""The bench's order history import figures, in process (``import orders``'s service,
as the command and the task worker run it):

- ``orders_import_rows_per_s``: a file of ``ROWS`` rows (``order_id,customer_id,date,
  amount,product,quantity``; three lines per order on average, about 1 in 15 rows a new
  customer, 1 row in 200 bad with two reasons), none of it known: every order and
  customer is created;
- ``orders_import_rerun_rows_per_s``: the same file again (every order already there);
- ``orders_import_cpu_rows_per_s``: the first import's rows over the CPU time this
  process spent on it (SQLite runs in the process): on a shared machine the wall clock
  mostly measures the other processes, this one what the import costs.

Each figure is the median of ``RUNS`` files (new customer and order ids each time)."""

import datetime
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from panorama.accounts.models import User

KEYS = [
    "orders_import_rows_per_s",
    "orders_import_rerun_rows_per_s",
    "orders_import_cpu_rows_per_s",
]
ROWS = 200_000
RUNS = 3
PRODUCTS = [f"Product {n}" for n in range(1, 400)]


def orders_csv(path: Path, *, rows: int, tag: str, seed: int = 5) -> Path:
    rng = random.Random(seed)
    start = datetime.date(2019, 1, 1).toordinal()
    customers = max(1, rows // 15)
    out = ["order_id,customer_id,date,amount,product,quantity"]
    order = written = 0
    while written < rows:
        order += 1
        customer = f"{tag}-C{rng.randrange(customers)}"
        day = datetime.date.fromordinal(start + rng.randrange(2000)).isoformat()
        for _ in range(min(rng.randint(1, 5), rows - written)):
            written += 1
            amount = f"{rng.randrange(100, 50000) / 100:.2f}"
            if written % 200 == 0:  # a bad row: two reasons
                out.append(f"{tag}-O{order},,{day[:7]},{amount},x,1")
                continue
            quantity = rng.randint(1, 3)
            out.append(
                f"{tag}-O{order},{customer},{day},{amount},{rng.choice(PRODUCTS)},{quantity}"
            )
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def _rates(path: Path, by: User | None) -> tuple[float, float]:
    """(rows per wall second, rows per CPU second)."""
    from panorama.analytics.services.purchases import purchases_import

    cpu = time.process_time()
    job = purchases_import(source=path, by=by)
    cpu = time.process_time() - cpu
    return job.rows / job.seconds, job.rows / max(cpu, 1e-6)


def measure_all(say: Callable[[str], None], *, rows: int = ROWS, runs: int = RUNS) -> dict:
    by = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    say(f"Measuring the order history import ({runs} files of {rows:,} rows, then again)...")
    first, again, cpu = [], [], []
    stamp = datetime.datetime.now().strftime("%H%M%S%f")
    with tempfile.TemporaryDirectory() as folder:
        for attempt in range(runs):
            path = orders_csv(Path(folder) / "orders.csv", rows=rows, tag=f"b{stamp}{attempt}")
            wall, busy = _rates(path, by)
            first.append(round(wall))
            cpu.append(round(busy))
            again.append(round(_rates(path, by)[0]))
    say("  first " + ", ".join(f"{r:,}" for r in first) + " rows/s")
    say("  first, per CPU second " + ", ".join(f"{r:,}" for r in cpu) + " rows/s")
    say("  again " + ", ".join(f"{r:,}" for r in again) + " rows/s")
    return {
        "orders_import_rows_per_s": round(statistics.median(first)),
        "orders_import_rerun_rows_per_s": round(statistics.median(again)),
        "orders_import_cpu_rows_per_s": round(statistics.median(cpu)),
    }


def report_row(results: dict) -> tuple[str, str, str]:
    """The bench's summary line (a KeyError when the part was not measured)."""
    return (
        "order history import",
        f"{results['orders_import_rows_per_s']:,} rows/s "
        f"(again {results['orders_import_rerun_rows_per_s']:,}, "
        f"per CPU s {results['orders_import_cpu_rows_per_s']:,})",
        "≥ 50k rows/s",
    )
