"""The board's column totals come from ``StageTotal``, which database triggers keep equal
to the opportunities through every kind of write: the services, a queryset update, a
bulk insert, a cascade delete, a move to another pipeline (SQLite and PostgreSQL)."""

from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.sales import selectors
from panorama.sales.models import Opportunity, Stage, StageTotal
from panorama.sales.services.opportunity import opportunity_create

from ..factories import CustomerFactory, TeamFactory, UserFactory, pipeline_with_stages

pytestmark = pytest.mark.django_db


def _live() -> dict[tuple[int, int, int], tuple[int, Decimal]]:
    """What the totals must be: counted from the opportunities themselves."""
    rows = (
        Opportunity.objects.order_by()
        .values("stage_id", "owner_id", "team_id")
        .annotate(n=Count("id"), total=Sum("amount_base"))
    )
    return {
        (r["stage_id"], r["owner_id"] or 0, r["team_id"] or 0): (r["n"], r["total"]) for r in rows
    }


def _kept() -> dict[tuple[int, int, int], tuple[int, Decimal]]:
    return {
        (t.stage_id, t.owner_id, t.team_id): (t.n, Decimal(t.total_cents) / 100)
        for t in StageTotal.objects.exclude(n=0)
    }


def test_every_kind_of_write_keeps_the_totals_equal_to_the_opportunities():
    pipeline = pipeline_with_stages()
    other = pipeline_with_stages(name="Renewals")
    team = TeamFactory()
    rep = UserFactory(role=Role.SALES_REP, teams=[team])
    colleague = UserFactory(role=Role.SALES_REP, teams=[team])
    customer = CustomerFactory(owner=rep, team=team)
    made = [
        opportunity_create(
            by=None,
            customer_id=customer.pk,
            name=f"Opp {i}",
            amount=Decimal("100.10") * (i + 1),
            owner=rep if i % 2 else colleague,
            team=team if i % 3 else None,
        )
        for i in range(9)
    ]
    assert _kept() == _live()
    first, second = pipeline.stages.order_by("position")[:2]
    # A queryset update (no save, no signal): moved, re-owned and repriced.
    Opportunity.objects.filter(pk__in=[o.pk for o in made[:4]]).update(stage=second)
    Opportunity.objects.filter(pk=made[5].pk).update(owner=None, amount_base=Decimal("0.01"))
    assert _kept() == _live()
    # To another pipeline's stage.
    target = other.stages.order_by("position").first()
    Opportunity.objects.filter(pk=made[6].pk).update(pipeline=other, stage=target)
    # A bulk insert and a delete.
    Opportunity.objects.bulk_create(
        [
            Opportunity(
                customer=customer,
                pipeline=pipeline,
                stage=first,
                name="Bulk",
                currency="EUR",
                amount=Decimal("12.34"),
                amount_base=Decimal("12.34"),
                owner=rep,
                team=team,
                stage_entered_at=timezone.now(),
            )
            for _ in range(3)
        ]
    )
    made[7].delete()
    assert _kept() == _live()
    # The customer's deletion cascades to his opportunities: every total goes to zero.
    customer.delete()
    assert _kept() == {} == _live()


def test_the_board_totals_are_the_sum_of_what_the_user_sees():
    pipeline = pipeline_with_stages()
    team, other_team = TeamFactory(), TeamFactory()
    rep = UserFactory(role=Role.SALES_REP, teams=[team])
    stranger = UserFactory(role=Role.SALES_REP, teams=[other_team])
    mine = CustomerFactory(owner=rep, team=team)
    theirs = CustomerFactory(owner=stranger, team=other_team)
    for amount in ("10.05", "20.10"):
        opportunity_create(
            by=None, customer_id=mine.pk, name="A", amount=amount, owner=rep, team=team
        )
    opportunity_create(
        by=None, customer_id=theirs.pk, name="B", amount="99.99", owner=stranger, team=other_team
    )
    stage = Stage.objects.filter(pipeline=pipeline).order_by("position").first()
    totals = selectors.board_totals(user=rep, pipeline_id=pipeline.pk)
    assert totals == {stage.pk: (2, Decimal("30.15"))}
    admin = UserFactory(role=Role.ADMIN)
    assert selectors.board_totals(user=admin, pipeline_id=pipeline.pk) == {
        stage.pk: (3, Decimal("130.14"))
    }
