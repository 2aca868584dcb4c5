"""Pipelines and opportunities for the demo and the bench.

``pipelines_ensure`` configures the two demo pipelines (new business, renewals), the
lost reasons and competitors through the configuration services. ``seed_opportunities``
writes opportunities and their stage history in bulk (``core.bulk``, like the customer
seeder): deterministic for a seed, spread over every stage of both pipelines, owned by
the customer's account manager and team so the scope rules show each rep his own.
"""

import datetime
import itertools
import random
import time
from collections.abc import Callable
from decimal import Decimal

from django.db import connection, transaction

from panorama.core.bulk import TableWriter, flush_all, next_id, seeded_values, utc_naive
from panorama.core.bulk_session import analyse, bulk_mode, reset_sequences
from panorama.customers.models import Customer
from panorama.sales.models import Competitor, LostReason, Opportunity, Pipeline, Stage, StageChange
from panorama.sales.services import pipeline as config

PIPELINES = [
    (
        "Nuevo negocio",
        True,
        [
            ("Cualificar", "open", 10, []),
            ("Propuesta", "open", 40, ["amount"]),
            ("Negociación", "open", 70, ["amount", "expected_close"]),
            ("Ganada", "won", 100, []),
            ("Perdida", "lost", 0, []),
        ],
    ),
    (
        "Renovaciones",
        False,
        [
            ("Aviso", "open", 30, []),
            ("Oferta", "open", 60, ["amount"]),
            ("Renovada", "won", 100, []),
            ("No renovada", "lost", 0, []),
        ],
    ),
]
LOST_REASONS = ["Precio", "Competencia", "Sin presupuesto", "Sin respuesta", "No encaja"]
COMPETITORS = ["Iberconecta", "Telco Norte", "RedSur"]
NAMES = [
    "Fibra 600 Mb",
    "Fibra 1 Gb",
    "Móvil empresa",
    "Centralita virtual",
    "Alarma hogar",
    "Seguro de hogar",
    "Renting de portátiles",
    "Televisión",
    "Cloud backup",
    "Mantenimiento",
]
OPPORTUNITY_COLUMNS = (
    "id",
    "customer_id",
    "pipeline_id",
    "stage_id",
    "name",
    "status",
    "amount",
    "currency",
    "amount_base",
    "expected_close",
    "owner_id",
    "team_id",
    "lost_reason_id",
    "lost_note",
    "next_step",
    "next_step_date",
    "stage_entered_at",
    "closed_at",
    "created_at",
    "updated_at",
)
CHANGE_COLUMNS = (
    "id",
    "opportunity_id",
    "from_stage_id",
    "to_stage_id",
    "by_id",
    "at",
    "seconds_in_previous",
)


def pipelines_ensure() -> list[Pipeline]:
    """The demo's pipelines, lost reasons and competitors (once; by the system)."""
    for position, (name, default, stages) in enumerate(PIPELINES):
        if Pipeline.objects.filter(name=name).exists():
            continue
        pipeline = config.pipeline_create(
            by=None, name=name, currency="EUR", is_default=default, position=position
        )
        for stage_name, kind, probability, required in stages:
            config.stage_create(
                by=None,
                pipeline_id=pipeline.pk,
                name=stage_name,
                kind=kind,
                probability=probability,
                required_fields=required,
            )
    for position, name in enumerate(LOST_REASONS):
        if not LostReason.objects.filter(name=name).exists():
            config.lost_reason_create(by=None, name=name, position=position)
    for name in COMPETITORS:
        if not Competitor.objects.filter(name=name).exists():
            config.competitor_create(by=None, name=name)
    return list(Pipeline.objects.filter(name__in=[p[0] for p in PIPELINES]))


def _stage_weights(stages: list[Stage]) -> list[float]:
    """Most opportunities open (earlier stages fuller), a quarter won, a sixth lost."""
    open_ = [s for s in stages if s.kind == Stage.Kind.OPEN]
    weights = []
    for stage in stages:
        if stage.kind == Stage.Kind.WON:
            weights.append(0.25)
        elif stage.kind == Stage.Kind.LOST:
            weights.append(0.15)
        else:
            rank = open_.index(stage)
            weights.append(0.6 * (len(open_) - rank) / sum(range(1, len(open_) + 1)))
    return weights


# The board's stage totals (``StageTotal``) for a batch of seeded opportunities, added
# in one statement on SQLite. The insert trigger of migration 0007 does the same row by
# row: three quarters of SQLite's work in a seeded batch. New keys come in the order of
# their first opportunity, as the trigger would insert them. (PostgreSQL keeps its
# trigger: it refuses to disable one while the batch's deferred foreign-key checks are
# pending, and its ``COPY`` is not the bench's slow path.)
TOTALS_ADD = """
INSERT INTO sales_stagetotal (pipeline_id, stage_id, owner_id, team_id, n, total_cents)
SELECT pipeline_id, stage_id, COALESCE(owner_id, 0), COALESCE(team_id, 0), COUNT(*),
       SUM(CAST(ROUND(amount_base * 100) AS INTEGER))
FROM sales_opportunity WHERE id BETWEEN %s AND %s
GROUP BY pipeline_id, stage_id, COALESCE(owner_id, 0), COALESCE(team_id, 0)
ORDER BY MIN(id)
ON CONFLICT (stage_id, owner_id, team_id)
DO UPDATE SET n = sales_stagetotal.n + excluded.n,
              total_cents = sales_stagetotal.total_cents + excluded.total_cents
"""
TRIGGER = "sales_opp_total_insert"


def _flush_with_totals(opportunities: TableWriter, changes: TableWriter) -> None:
    """Write a batch, on SQLite with the board's totals added once for the batch: in one
    transaction, the insert trigger dropped and created again from its stored SQL, so it
    is never missing for anyone else, and a batch that fails leaves it as it was."""
    if connection.vendor != "sqlite" or not opportunities.rows:
        flush_all([opportunities, changes])
        return
    first, last = opportunities.rows[0][0], opportunities.rows[-1][0]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [TRIGGER]
        )
        found = cursor.fetchone()
        if found:
            cursor.execute(f"DROP TRIGGER {TRIGGER}")
        opportunities.flush(cursor)
        changes.flush(cursor)
        if found:
            cursor.execute(TOTALS_ADD, [first, last])
            cursor.execute(found[0])


def seed_opportunities(
    *,
    count: int,
    seed: int = 42,
    anchor: datetime.datetime | None = None,
    batch_size: int = 20_000,
    customer_ids: tuple[int, int] | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> int:
    """Write ``count`` opportunities spread over the customers (those with ids in the
    range ``customer_ids``, default all; in id order, round and round), with their
    stage history. Returns how many were written.

    The rows are built as the database stores them (``core.bulk.seeded_values``: naive
    UTC datetimes, each stage's columns worked out once) and the board's totals added
    once per batch (``_flush_with_totals``)."""
    pipelines = pipelines_ensure()
    if count <= 0:
        return 0
    anchor = utc_naive(anchor or datetime.datetime.now(datetime.UTC).replace(microsecond=0))
    rng = random.Random(f"panorama-opportunities-{seed}")
    random_ = rng.random
    randrange = rng.randrange
    choices = rng.choices
    choice = rng.choice
    # Per pipeline: its id, its stages as (id, kind, open?, first open?), the cumulative
    # weights ``choices`` draws with (the same draws as with the weights), the first
    # open stage's id.
    layouts: list[tuple[int, list[tuple[int, str, bool, bool]], list[float], int]] = []
    for pipeline in sorted(pipelines, key=lambda p: p.position):
        stages = list(pipeline.stages.order_by("position", "id"))
        first_open = next(s for s in stages if s.kind == Stage.Kind.OPEN)
        cumulative = list(itertools.accumulate(_stage_weights(stages)))
        columns = [
            (s.pk, str(s.kind), s.kind == Stage.Kind.OPEN, s.pk == first_open.pk) for s in stages
        ]
        layouts.append((pipeline.pk, columns, cumulative, first_open.pk))
    reasons = list(LostReason.objects.values_list("pk", flat=True))
    live = Customer.objects.filter(merged_into__isnull=True)
    if customer_ids is not None:
        live = live.filter(pk__range=customer_ids)
    customers = list(live.order_by("pk").values_list("pk", "owner_id", "team_id"))
    if not customers:
        return 0
    opportunities = TableWriter(Opportunity, OPPORTUNITY_COLUMNS, converters=seeded_values)
    changes = TableWriter(StageChange, CHANGE_COLUMNS, converters=seeded_values)
    add_opportunity, add_change = opportunities.rows.append, changes.rows.append
    opp_id, change_id = next_id(Opportunity), next_id(StageChange)
    today = anchor.date()
    days = [datetime.timedelta(days=n) for n in range(366)]
    minutes = [datetime.timedelta(minutes=n) for n in range(1440)]
    expected_days = {n: today + datetime.timedelta(days=n) for n in range(-20, 120)}
    steps = ("", "Llamar", "Enviar propuesta", "Visita")
    lost = str(Stage.Kind.LOST)
    started, made = time.perf_counter(), 0
    with bulk_mode():
        while made < count:
            customer_id, owner_id, team_id = customers[made % len(customers)]
            pipeline_id, stage_rows, cumulative, first_open_id = (
                layouts[0] if len(layouts) == 1 or random_() < 0.8 else layouts[1]
            )
            stage_id, kind, is_open, is_first = choices(stage_rows, cum_weights=cumulative)[0]
            created = anchor - days[randrange(1, 365)] - minutes[randrange(1440)]
            entered = created + (anchor - created) * random_() * 0.8
            if is_first:
                entered = created
            closed = None if is_open else entered
            amount = Decimal(randrange(30_00, 60_000_00)) / 100
            expected = closed.date() if closed else expected_days[randrange(-20, 120)]
            next_step = "" if closed else choice(steps)
            add_opportunity(
                (
                    opp_id,
                    customer_id,
                    pipeline_id,
                    stage_id,
                    choice(NAMES),
                    kind,
                    amount,
                    "EUR",
                    amount,
                    expected,
                    owner_id,
                    team_id,
                    choice(reasons) if kind == lost and reasons else None,
                    "",
                    next_step,
                    today + days[randrange(0, 14)] if next_step else None,
                    entered,
                    closed,
                    created,
                    entered,
                )
            )
            add_change((change_id, opp_id, None, first_open_id, None, created, None))
            change_id += 1
            if not is_first:
                seconds = int((entered - created).total_seconds())
                add_change((change_id, opp_id, first_open_id, stage_id, None, entered, seconds))
                change_id += 1
            opp_id += 1
            made += 1
            if len(opportunities.rows) >= batch_size or made == count:
                _flush_with_totals(opportunities, changes)
                add_opportunity, add_change = opportunities.rows.append, changes.rows.append
                if progress:
                    progress(made, count, time.perf_counter() - started)
        reset_sequences([Opportunity, StageChange])
    analyse()
    return made


def showcase_opportunities(customer_id: int) -> None:
    """The demo's showcase customer: open opportunities for the ficha's panel, one won,
    one lost, through the services (stage history and timeline as a rep would leave)."""
    from panorama.sales.services.opportunity import opportunity_create, opportunity_move

    if Opportunity.objects.filter(customer_id=customer_id).exists():
        return
    pipelines_ensure()
    pipeline = Pipeline.objects.filter(is_default=True).first()
    if pipeline is None:
        return
    stages = {s.name: s.pk for s in pipeline.stages.all()}
    today = datetime.date.today()
    plan = [
        ("Fibra 1 Gb", "1290.00", None),
        ("Seguro de hogar", "420.00", "Propuesta"),
        ("Alarma hogar", "780.00", "Negociación"),
        ("Televisión", "360.00", "Ganada"),
        ("Móvil empresa", "950.00", "Perdida"),
    ]
    reason = LostReason.objects.filter(name="Precio").first()
    for name, amount, stage in plan:
        opportunity = opportunity_create(
            by=None,
            customer_id=customer_id,
            name=name,
            pipeline_id=pipeline.pk,
            amount=amount,
            expected_close=today + datetime.timedelta(days=30),
            next_step="Llamar",
            next_step_date=today + datetime.timedelta(days=2),
        )
        if stage and stage in stages:
            opportunity_move(
                by=None,
                opportunity_id=opportunity.pk,
                stage_id=stages[stage],
                lost_reason_id=reason.pk if reason and stage == "Perdida" else None,
            )
