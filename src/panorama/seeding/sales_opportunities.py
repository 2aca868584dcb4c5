"""Pipelines and opportunities for the demo and the bench.

``pipelines_ensure`` configures the two demo pipelines (new business, renewals), the
lost reasons and competitors through the configuration services. ``seed_opportunities``
writes opportunities and their stage history in bulk (``core.bulk``, like the customer
seeder): deterministic for a seed, spread over every stage of both pipelines, owned by
the customer's account manager and team so the scope rules show each rep his own.
"""

import datetime
import random
import time
from collections.abc import Callable
from decimal import Decimal

from panorama.core.bulk import TableWriter, analyse, bulk_mode, flush_all, next_id, reset_sequences
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
    stage history. Returns how many were written."""
    pipelines = pipelines_ensure()
    if count <= 0:
        return 0
    anchor = anchor or datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    rng = random.Random(f"panorama-opportunities-{seed}")
    layouts = []
    for pipeline in sorted(pipelines, key=lambda p: p.position):
        stages = list(pipeline.stages.order_by("position", "id"))
        first_open = next(s for s in stages if s.kind == Stage.Kind.OPEN)
        layouts.append((pipeline, stages, _stage_weights(stages), first_open))
    reasons = list(LostReason.objects.values_list("pk", flat=True))
    live = Customer.objects.filter(merged_into__isnull=True)
    if customer_ids is not None:
        live = live.filter(pk__range=customer_ids)
    customers = list(live.order_by("pk").values_list("pk", "owner_id", "team_id"))
    if not customers:
        return 0
    opportunities = TableWriter(Opportunity, OPPORTUNITY_COLUMNS)
    changes = TableWriter(StageChange, CHANGE_COLUMNS)
    opp_id, change_id = next_id(Opportunity), next_id(StageChange)
    today = anchor.date()
    started, made = time.perf_counter(), 0
    with bulk_mode():
        while made < count:
            customer_id, owner_id, team_id = customers[made % len(customers)]
            pipeline, stages, weights, first_open = (
                layouts[0] if len(layouts) == 1 or rng.random() < 0.8 else layouts[1]
            )
            stage = rng.choices(stages, weights)[0]
            created = anchor - datetime.timedelta(
                days=rng.randrange(1, 365), minutes=rng.randrange(1440)
            )
            entered = created + (anchor - created) * rng.random() * 0.8
            if stage.pk == first_open.pk:
                entered = created
            closed = entered if stage.kind != Stage.Kind.OPEN else None
            amount = Decimal(rng.randrange(30_00, 60_000_00)) / 100
            expected = (
                closed.date()
                if closed
                else today + datetime.timedelta(days=rng.randrange(-20, 120))
            )
            next_step = "" if closed else rng.choice(("", "Llamar", "Enviar propuesta", "Visita"))
            opportunities.add(
                (
                    opp_id,
                    customer_id,
                    pipeline.pk,
                    stage.pk,
                    rng.choice(NAMES),
                    stage.kind,
                    amount,
                    "EUR",
                    amount,
                    expected,
                    owner_id,
                    team_id,
                    rng.choice(reasons) if stage.kind == Stage.Kind.LOST and reasons else None,
                    "",
                    next_step,
                    today + datetime.timedelta(days=rng.randrange(0, 14)) if next_step else None,
                    entered,
                    closed,
                    created,
                    entered,
                )
            )
            changes.add((change_id, opp_id, None, first_open.pk, None, created, None))
            change_id += 1
            if stage.pk != first_open.pk:
                seconds = int((entered - created).total_seconds())
                changes.add((change_id, opp_id, first_open.pk, stage.pk, None, entered, seconds))
                change_id += 1
            opp_id += 1
            made += 1
            if len(opportunities.rows) >= batch_size or made == count:
                flush_all([opportunities, changes])
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
