"""``panorama seed`` gives the new customers opportunities in both demo pipelines, in
every stage, owned like their customer, with their stage history; the same seed gives
the same opportunities."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from panorama.customers.models import Customer
from panorama.sales.models import Opportunity, Pipeline, Stage, StageChange, StageTotal
from panorama.sales.services.opportunity import opportunity_create
from panorama.sales.winloss import WinLossFilters, win_loss
from panorama.seeding.sales_opportunities import seed_opportunities, showcase_opportunities

pytestmark = pytest.mark.django_db


def _seed(**options):
    call_command("seed", customers=300, interactions_per_customer=0, verbosity=0, **options)


def test_two_per_customer_in_every_stage_of_both_pipelines():
    _seed()
    assert Opportunity.objects.count() == 600
    assert set(Pipeline.objects.values_list("name", flat=True)) == {"Nuevo negocio", "Renovaciones"}
    used = set(Opportunity.objects.values_list("stage_id", flat=True))
    assert used == set(Stage.objects.values_list("pk", flat=True))
    for opp in Opportunity.objects.select_related("customer", "stage")[:50]:
        assert (opp.owner_id, opp.team_id) == (opp.customer.owner_id, opp.customer.team_id)
        assert opp.status == opp.stage.kind
        assert (opp.closed_at is None) == (opp.status == "open")
        assert opp.lost_reason_id is not None or opp.status != "lost"
    first_moves = StageChange.objects.filter(from_stage__isnull=True).count()
    assert first_moves == 600


def test_the_same_seed_gives_the_same_opportunities_and_n_is_obeyed():
    _seed(opportunities=40)
    first = list(Opportunity.objects.order_by("pk").values_list("name", "stage__name", "amount"))
    assert len(first) == 40
    Opportunity.objects.all().delete()
    seed_opportunities(count=40, seed=42)
    again = list(Opportunity.objects.order_by("pk").values_list("name", "stage__name", "amount"))
    assert again == first


def test_win_loss_reads_the_seeded_losses(admin_user):
    _seed(opportunities=200)
    data = win_loss(user=admin_user, filters=WinLossFilters())
    assert data["totals"]["lost"] == Opportunity.objects.filter(status="lost").count()
    assert sum(r["lost"] for r in data["by_stage"]) == data["totals"]["lost"]


def test_the_showcase_customer_gets_opportunities_in_several_stages():
    _seed(opportunities=0)
    customer = Customer.objects.first()
    showcase_opportunities(customer.pk)
    statuses = sorted(
        Opportunity.objects.filter(customer=customer).values_list("status", flat=True)
    )
    assert statuses == ["lost", "open", "open", "open", "won"]


def test_the_board_totals_count_the_seeded_opportunities_and_later_ones():
    """The seeder adds the board's column totals once per batch, the insert trigger set
    aside meanwhile: the totals equal the opportunities, and the trigger counts an
    opportunity created afterwards."""

    def live():
        rows = (
            Opportunity.objects.order_by()
            .values("stage_id", "owner_id", "team_id")
            .annotate(n=Count("id"), total=Sum("amount_base"))
        )
        return {
            (r["stage_id"], r["owner_id"] or 0, r["team_id"] or 0): (r["n"], r["total"])
            for r in rows
        }

    def kept():
        return {
            (t.stage_id, t.owner_id, t.team_id): (t.n, Decimal(t.total_cents) / 100)
            for t in StageTotal.objects.exclude(n=0)
        }

    _seed(opportunities=0)
    seed_opportunities(count=70, seed=42, batch_size=30)  # three batches
    assert Opportunity.objects.count() == 70
    assert kept() == live()
    seed_opportunities(count=25, seed=43, batch_size=30)  # onto the same keys
    assert kept() == live()
    opportunity_create(
        by=None, customer_id=Customer.objects.first().pk, name="After", amount="99.99"
    )
    assert Opportunity.objects.count() == 96
    assert kept() == live()
