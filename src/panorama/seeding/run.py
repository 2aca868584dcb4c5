"""``seed_customers``: the seeder's driver, batch by batch, with progress."""

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass

from panorama.core.bulk_session import analyse, bulk_mode, reset_sequences
from panorama.customers.models import Customer

from .generator import Seeder
from .staff import Staff
from .tables import MODELS


@dataclass
class SeedResult:
    customers: int
    rows: int
    seconds: float
    first_id: int | None
    last_id: int | None

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def seed_customers(
    *,
    count: int,
    seed: int,
    staff: Staff,
    interactions_per_customer: int = 5,
    rich_every: int = 0,
    rich_interactions: int = 20,
    batch_size: int = 5000,
    anchor: datetime.datetime | None = None,
    progress: Callable[[int, int, int, float], None] | None = None,
) -> SeedResult:
    """Add ``count`` customers (85% persons, some in families; 15% organisations)."""
    anchor = anchor or datetime.datetime.now(datetime.UTC).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    seeder = Seeder(
        seed=seed, staff=staff, anchor=anchor, interactions_per_customer=interactions_per_customer
    )
    first_id = seeder.next[Customer]
    started, rows, made = time.perf_counter(), 0, 0
    with bulk_mode():
        while made < count:
            left, roll = count - made, seeder.rng.random()
            if rich_every and made % rich_every == 0:
                seeder.interactions, plain = rich_interactions, interactions_per_customer
            else:
                plain = None
            if roll < 0.15:
                seeder.organisation()
                made += 1
            elif roll < 0.25 and left >= 2:
                size = min(left, seeder.rng.choice((2, 2, 3, 3, 4)))
                seeder.family(size)
                made += size
            else:
                seeder.random_person()
                made += 1
            if plain is not None:
                seeder.interactions = plain
            if seeder.pending >= batch_size or made >= count:
                rows += seeder.flush()
                if progress:
                    progress(made, count, rows, time.perf_counter() - started)
        reset_sequences(MODELS)
    analyse()
    last_id = seeder.next[Customer] - 1
    return SeedResult(
        customers=made,
        rows=rows,
        seconds=time.perf_counter() - started,
        first_id=first_id if made else None,
        last_id=last_id if made else None,
    )
