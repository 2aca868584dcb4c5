"""``panorama seed`` gives the new customers opportunities in both demo pipelines, in
every stage, owned like their customer, with their stage history; the same seed gives
the same opportunities."""

import pytest
from django.core.management import call_command

from panorama.sales.models import Opportunity, Pipeline, Stage, StageChange
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
    from panorama.customers.models import Customer

    customer = Customer.objects.first()
    showcase_opportunities(customer.pk)
    statuses = sorted(
        Opportunity.objects.filter(customer=customer).values_list("status", flat=True)
    )
    assert statuses == ["lost", "open", "open", "open", "won"]
