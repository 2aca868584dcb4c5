"""Reads of sales records, scoped like customers: a rep sees his own and his team's
leads and opportunities, a manager his teams', other roles all (``scope_filter``).
A record outside the scope does not exist for the user (404)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import CharField, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils.translation import gettext as _

from panorama.accounts.models import Role, User
from panorama.catalog.selectors import company_currency as company_currency  # boards, reports
from panorama.catalog.selectors import convert
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.pagination import Keyset, Page, TimeKeyset
from panorama.customers.selectors import scope_filter

from ..models import Lead, Opportunity, Pipeline, Stage, StageTotal


def to_company_currency(
    amount: Decimal, *, currency: str, on: datetime.date | None = None
) -> Decimal:
    """``amount`` in the company currency at the catalogue's rate on ``on``, rounded to
    cents. A currency without a rate is a ``ValidationFailed`` on ``currency``: an amount
    is never summed at a made-up rate."""
    return convert(amount, currency=currency, on=on)


def pipelines_active() -> QuerySet[Pipeline]:
    """The active pipelines with their stages in order (two queries)."""
    return Pipeline.objects.filter(active=True).prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("position", "id"))
    )


def pipeline_get(*, pipeline_id: int | None = None) -> Pipeline:
    """The pipeline ``pipeline_id``, or the default one (then the first active)."""
    qs = Pipeline.objects.filter(active=True)
    if pipeline_id is not None:
        pipeline = qs.filter(pk=pipeline_id).first()
    else:
        pipeline = qs.filter(is_default=True).first() or qs.order_by("position", "id").first()
    if pipeline is None:
        raise NotFound(
            _("Pipeline %(id)s does not exist.") % {"id": pipeline_id}
            if pipeline_id is not None
            else _("There is no active pipeline yet: an administrator creates one first."),
            field="pipeline",
        )
    return pipeline


def opportunities_visible_to(user: User) -> QuerySet[Opportunity]:
    return Opportunity.objects.filter(scope_filter(user))


NEWEST_FIRST = Keyset("-id", types=(int,))


def opportunity_list(
    *,
    user: User,
    customer_id: int | None = None,
    pipeline_id: int | None = None,
    status: str = "",
    cursor: str = "",
    limit: int = 50,
) -> Page:
    """A page of the opportunities ``user`` sees, newest first (keyset, no count)."""
    qs = (
        opportunities_visible_to(user)
        .select_related("customer", "stage")
        .prefetch_related("lines__product")
    )
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if pipeline_id is not None:
        qs = qs.filter(pipeline_id=pipeline_id)
    if status:
        if status not in Opportunity.Status.values:
            raise ValidationFailed(_("Unknown status %(s)s.") % {"s": status}, field="status")
        qs = qs.filter(status=status)
    return NEWEST_FIRST.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))


def opportunity_get(*, user: User | None, opportunity_id: int, for_update: bool = False):
    """The opportunity if ``user`` may see it (``None``: the system sees all).

    ``for_update``: its row locked (only its own: ``of=("self",)``, so two moves into
    one stage do not wait for each other), read in one statement with the stage, the
    customer and the lost reason a change reads (the services' one read)."""
    qs = Opportunity.objects.all() if user is None else opportunities_visible_to(user)
    if for_update:
        qs = qs.select_for_update(of=("self",)).select_related("stage", "customer", "lost_reason")
    else:
        qs = qs.select_related(
            "stage", "pipeline", "customer", "owner", "team", "lost_reason"
        ).prefetch_related("lines__product")
    opportunity = qs.filter(pk=opportunity_id).first()
    if opportunity is None:
        raise NotFound(
            _("Opportunity %(id)s does not exist or is not visible to you.")
            % {"id": opportunity_id}
        )
    return opportunity


def leads_visible_to(user: User) -> QuerySet[Lead]:
    """Like customers (reps: own and team; managers: their teams'; others: all), and a
    lead nobody owns, in no team, is seen by managers (who hand it out)."""
    scope = scope_filter(user)
    if user.role == Role.SALES_MANAGER:
        scope |= Q(owner__isnull=True, team__isnull=True)
    return Lead.objects.filter(scope)


def lead_get(*, user: User | None, lead_id: int, for_update: bool = False) -> Lead:
    qs = Lead.objects.all() if user is None else leads_visible_to(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    qs = qs.select_related("owner", "team", "customer", "opportunity", "web_form")
    lead = qs.filter(pk=lead_id).first()
    if lead is None:
        raise NotFound(_("Lead %(id)s does not exist or is not visible to you.") % {"id": lead_id})
    return lead


def leads_matching(
    *,
    user: User,
    status: str = "",
    source: str = "",
    owner_id: int | None = None,
    team_id: int | None = None,
    search: str = "",
) -> QuerySet[Lead]:
    """The leads ``user`` sees that match the filters (the API's list and the page's)."""
    qs = leads_visible_to(user).select_related("owner", "team")
    if status:
        if status not in Lead.Status.values:
            raise ValidationFailed(_("Unknown status %(s)s.") % {"s": status}, field="status")
        qs = qs.filter(status=status)
    if source:
        if source not in Lead.Source.values:
            raise ValidationFailed(_("Unknown lead source %(s)s.") % {"s": source}, field="source")
        qs = qs.filter(source=source)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    search = (search or "").replace("\x00", "").strip()
    if search:
        if "@" in search:
            qs = qs.filter(email__startswith=search.lower())
        else:
            qs = qs.filter(
                Q(last_name__istartswith=search)
                | Q(first_name__istartswith=search)
                | Q(company__istartswith=search)
            )
    return qs


def lead_list(
    *,
    user: User,
    status: str = "",
    source: str = "",
    owner_id: int | None = None,
    search: str = "",
    cursor: str = "",
    limit: int = 50,
) -> Page:
    """A page of the leads ``user`` sees, newest first (keyset, one query, no count)."""
    qs = leads_matching(user=user, status=status, source=source, owner_id=owner_id, search=search)
    return NEWEST_FIRST.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))


def lead_activities(*, lead: Lead, limit: int = 100) -> list:
    return list(lead.activities.select_related("by").order_by("-at", "-id")[:limit])


def stage_history(*, user: User | None, opportunity_id: int) -> list:
    """The opportunity's moves, oldest first, with their stages and who made them
    (two queries: the scope check and the history)."""
    from ..models import StageChange

    opportunity_get(user=user, opportunity_id=opportunity_id)
    return list(
        StageChange.objects.filter(opportunity_id=opportunity_id)
        .select_related("from_stage", "to_stage", "by")
        .order_by("at", "id")
    )


def pipelines_all() -> QuerySet[Pipeline]:
    """Every pipeline, active or not, with its stages in order (configuration screens)."""
    return Pipeline.objects.prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("position", "id"))
    ).order_by("position", "name")


def lost_reasons(*, active_only: bool = False) -> QuerySet:
    from ..models import LostReason

    qs = LostReason.objects.all()
    return qs.filter(active=True) if active_only else qs


def competitors() -> QuerySet:
    from ..models import Competitor

    return Competitor.objects.all()


# --- the board ---------------------------------------------------------------------------

BOARD_PAGE = 50


# Newest in the stage first, the opp_board index's order (stage, -stage_entered_at, -id).
BOARD_ORDER = TimeKeyset("-stage_entered_at", "-id", types=(str, int))


@dataclass
class BoardColumn:
    stage: Stage
    count: int = 0
    total: Decimal = Decimal(0)
    cards: list = field(default_factory=list)
    next_cursor: str | None = None


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[BoardColumn]
    currency: str


def _board_cards(qs: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """A card's columns, with its customer's and owner's names joined as plain values
    (``customer_name``, ``owner_name``: the first and last names, else the username):
    one model instance a card, not three (two thirds of a board's instances)."""
    owner_full = Trim(Concat("owner__first_name", Value(" "), "owner__last_name"))
    return qs.only(
        "id",
        "name",
        "customer_id",
        "stage_id",
        "status",
        "amount",
        "currency",
        "amount_base",
        "expected_close",
        "owner_id",
        "next_step",
        "next_step_date",
        "stage_entered_at",
    ).annotate(
        customer_name=F("customer__display_name"),
        owner_name=Coalesce(
            NullIf(owner_full, Value("")), F("owner__username"), output_field=CharField()
        ),
    )


def board_totals(
    *, user: User, pipeline_id: int, stage_ids: list[int] | None = None
) -> dict[int, tuple[int, Decimal]]:
    """Count and sum (company currency) of the opportunities ``user`` sees in each stage
    of the pipeline (or in ``stage_ids``): one grouped query over the stage totals the
    database triggers keep (``StageTotal``), scoped by owner and team like the cards."""
    qs = StageTotal.objects.filter(scope_filter(user), pipeline_id=pipeline_id)
    if stage_ids is not None:
        qs = qs.filter(stage_id__in=stage_ids)
    rows = qs.order_by().values("stage_id").annotate(n=Sum("n"), cents=Sum("total_cents"))
    return {
        r["stage_id"]: (r["n"], (Decimal(r["cents"] or 0) / 100).quantize(Decimal("0.01")))
        for r in rows
        if r["n"]
    }


def _first_ids(querysets: list[QuerySet], limit: int) -> RawSQL:
    """The ids of each queryset's first ``limit`` rows, as one subquery: a UNION ALL of
    the sliced queries, each wrapped so that SQLite accepts its ORDER BY and LIMIT. Each
    part walks the board index; an OR of ``IN`` subqueries made PostgreSQL read the whole
    table (200 ms at 200k opportunities)."""
    parts: list[str] = []
    params: list[Any] = []
    for n, qs in enumerate(querysets):
        sql, part_params = qs.values_list("pk", flat=True)[:limit].query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS first_{n}")  # noqa: S608 - our compiled SQL
        params.extend(part_params)
    return RawSQL(" UNION ALL ".join(parts) or "SELECT NULL WHERE 1 = 0", params)  # noqa: S611


def _pipeline_and_stages(pipeline_id: int | None) -> tuple[Pipeline, list[Stage]]:
    """An active pipeline and its stages in order: one query for a pipeline named by its
    id that has stages (the stages with their pipeline joined), else two."""
    if pipeline_id is not None:
        stages = list(
            Stage.objects.filter(pipeline_id=pipeline_id, pipeline__active=True)
            .select_related("pipeline")
            .order_by("position", "id")
        )
        if stages:
            pipeline = stages[0].pipeline
            for stage in stages:
                stage.pipeline = pipeline
            return pipeline, stages
    pipeline = pipeline_get(pipeline_id=pipeline_id)
    return pipeline, list(pipeline.stages.order_by("position", "id"))


def pipeline_board(*, user: User, pipeline_id: int | None = None, per_column: int = BOARD_PAGE):
    """The board of a pipeline as ``user`` sees it: every stage with its count and sum
    and its first ``per_column`` cards. Three queries whatever the number of
    opportunities: the pipeline with its stages, the totals (grouped, from
    ``StageTotal``) and the cards (each stage's first page through the board index, in
    one statement); four for the default pipeline (``pipeline_id`` None) or one
    without stages."""
    pipeline, stages = _pipeline_and_stages(pipeline_id)
    totals = board_totals(user=user, pipeline_id=pipeline.pk)
    visible = opportunities_visible_to(user)
    ids = _first_ids(
        [BOARD_ORDER.ordered(visible.filter(stage_id=stage.pk)) for stage in stages],
        per_column + 1,
    )
    by_stage: dict[int, list[Opportunity]] = {stage.pk: [] for stage in stages}
    for card in BOARD_ORDER.ordered(_board_cards(Opportunity.objects.filter(pk__in=ids))):
        by_stage[card.stage_id].append(card)
    columns = []
    for stage in stages:
        count, total = totals.get(stage.pk, (0, Decimal("0.00")))
        column = BoardColumn(stage=stage, count=count, total=total)
        column.cards = by_stage[stage.pk]
        if len(column.cards) > per_column:
            column.cards = column.cards[:per_column]
            column.next_cursor = BOARD_ORDER.encode(BOARD_ORDER.values_of(column.cards[-1]))
        columns.append(column)
    return Board(pipeline=pipeline, columns=columns, currency=company_currency())


def board_column_page(
    *, user: User, pipeline_id: int, stage_id: int, cursor: str = "", limit: int = BOARD_PAGE
) -> Page:
    """The next cards of one column (keyset on the board's order)."""
    if not Stage.objects.filter(pk=stage_id, pipeline_id=pipeline_id).exists():
        raise NotFound(_("Stage %(id)s does not exist.") % {"id": stage_id})
    qs = _board_cards(opportunities_visible_to(user).filter(stage_id=stage_id))
    return BOARD_ORDER.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))


PANEL_SIZE = 10


def open_opportunities_of(*, user: User, customer_id: int) -> list[Opportunity]:
    """The ficha's panel: the customer's open opportunities ``user`` sees, closing
    soonest first, at most ``PANEL_SIZE`` (one query, stage joined)."""
    qs = (
        opportunities_visible_to(user)
        .filter(customer_id=customer_id, status=Opportunity.Status.OPEN)
        .select_related("stage")
        .order_by(F("expected_close").asc(nulls_last=True), "-id")
    )
    return list(qs[:PANEL_SIZE])
