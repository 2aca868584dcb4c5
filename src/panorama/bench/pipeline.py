"""The bench's sales figures: the pipeline board and a stage move, through the API.

``opportunities_ready`` gives the bench database its opportunities (two per customer,
the issue's 200k at 100k customers) once; ``measure`` times the board of the default
pipeline (each stage's count and sum, first 50 cards per column) and moves of distinct
open opportunities between open stages.
"""

import random
from collections.abc import Callable

from panorama.sales.models import Opportunity, Pipeline, Stage
from panorama.seeding.sales_opportunities import seed_opportunities

from . import measure

PER_CUSTOMER = 2
BOARD_REQUESTS = 200
MOVES = 300


def opportunities_ready(*, customers: int, seed: int, say: Callable[[str], None]) -> int:
    wanted = PER_CUSTOMER * customers
    have = Opportunity.objects.count()
    if have >= wanted:
        say(f"Reusing {have:,} opportunities.")
        return have
    say(f"Seeding {wanted - have:,} opportunities...")

    def progress(made: int, total: int, seconds: float) -> None:
        if made == total or made % 50_000 < 20_000:
            say(f"  {made:>9,}/{total:,} opportunities  {seconds:6.1f} s")

    seed_opportunities(count=wanted - have, seed=seed, progress=progress)
    return Opportunity.objects.count()


def _mover(opportunity_id: int, stage_id: int, open_stages: list[int]):
    """A request that moves one opportunity to another open stage each time it runs
    (the warm-up runs it too: never a no-op move to the stage it is in)."""
    current = [stage_id]

    def move(client: measure.Connection) -> measure.Response:
        position = open_stages.index(current[0])
        target = open_stages[(position + 1) % len(open_stages)]
        current[0] = target
        return client.post(f"/api/v1/opportunities/{opportunity_id}/move", {"stage_id": target})

    return move


def measure_all(client: measure.Connection, rng: random.Random, say: Callable[[str], None]) -> dict:
    pipeline = Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.first()
    assert pipeline is not None
    out: dict = {}
    say(f"Measuring the board of “{pipeline.name}”...")
    url = f"/api/v1/pipelines/{pipeline.pk}/board"
    times, counts = measure.timed(client, [lambda c: c.get(url)] * BOARD_REQUESTS)
    out["pipeline_board_p50_ms"] = round(measure.p50(times), 2)
    out["pipeline_board_queries"] = max(counts) if counts else None
    out["pipeline_opportunities"] = Opportunity.objects.filter(pipeline=pipeline).count()

    say("Measuring stage moves...")
    open_stages = list(
        pipeline.stages.filter(kind=Stage.Kind.OPEN)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    candidates = list(
        Opportunity.objects.filter(pipeline=pipeline, status=Opportunity.Status.OPEN).values_list(
            "pk", "stage_id"
        )
    )
    chosen = rng.sample(candidates, min(MOVES, len(candidates)))
    times, counts = measure.timed(client, [_mover(pk, stage, open_stages) for pk, stage in chosen])
    out["opportunity_move_p50_ms"] = round(measure.p50(times), 2)
    out["opportunity_move_queries"] = max(counts) if counts else None
    return out
