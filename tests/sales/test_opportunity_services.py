import datetime
from decimal import Decimal

import pytest

from panorama.accounts.models import Role
from panorama.channels.models import Interaction
from panorama.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from panorama.sales.models import Opportunity, StageChange
from panorama.sales.selectors import opportunities_visible_to
from panorama.sales.services.opportunity import opportunity_create, opportunity_move

from ..factories import (
    CustomerFactory,
    LostReasonFactory,
    TeamFactory,
    UserFactory,
    pipeline_with_stages,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(rep, team):
    return CustomerFactory(owner=rep, team=team)


def stage(pipeline, name):
    return pipeline.stages.get(name=name)


def test_open_starts_in_the_first_open_stage_owned_by_the_rep(rep, customer, pipeline, emitted):
    with emitted() as events:
        opp = opportunity_create(by=rep, customer_id=customer.pk, name="Fibra 600", amount=1200)
    assert opp.stage.name == "Qualify"
    assert (opp.owner, opp.team, opp.status) == (rep, customer.team, "open")
    assert opp.amount_base == Decimal("1200")
    change = StageChange.objects.get(opportunity=opp)
    assert change.from_stage is None and change.to_stage.name == "Qualify"
    assert Interaction.objects.get(customer=customer).subject == "Opportunity opened: Fibra 600"
    assert [name for name, _ in events] == ["interaction.recorded", "opportunity.created"]


def test_a_customer_the_rep_cannot_see_is_not_found(rep, pipeline):
    stranger = CustomerFactory(owner=UserFactory(), team=TeamFactory())
    with pytest.raises(NotFound):
        opportunity_create(by=rep, customer_id=stranger.pk, name="x")
    assert not Opportunity.objects.exists()


def test_moving_records_history_time_in_stage_and_the_timeline(rep, customer, pipeline, emitted):
    opp = opportunity_create(by=rep, customer_id=customer.pk, name="Renting", amount=500)
    later = opp.stage_entered_at + datetime.timedelta(hours=2)
    with emitted() as events:
        opportunity_move(
            by=rep, opportunity_id=opp.pk, stage_id=stage(pipeline, "Propose").pk, at=later
        )
    change = StageChange.objects.filter(opportunity=opp).latest("at")
    assert (change.from_stage.name, change.to_stage.name) == ("Qualify", "Propose")
    assert change.seconds_in_previous == 7200 and change.by == rep
    assert "Qualify → Propose" in Interaction.objects.filter(customer=customer).first().subject
    assert (
        "opportunity.stage_changed",
        {
            "opportunity_id": opp.pk,
            "customer_id": customer.pk,
            "from_stage_id": stage(pipeline, "Qualify").pk,
            "to_stage_id": stage(pipeline, "Propose").pk,
            "status": "open",
            "by": rep.pk,
        },
    ) in events


def test_a_stage_that_needs_fields_refuses_and_names_every_missing_one(rep, customer, pipeline):
    opp = opportunity_create(by=rep, customer_id=customer.pk, name="Sin importe")
    with pytest.raises(ValidationFailed) as refused:
        opportunity_move(by=rep, opportunity_id=opp.pk, stage_id=stage(pipeline, "Negotiate").pk)
    assert set(refused.value.errors) == {"amount", "expected_close"}
    opp.refresh_from_db()
    assert opp.stage.name == "Qualify"
    assert StageChange.objects.filter(opportunity=opp).count() == 1


def test_lost_needs_a_reason_then_records_it(rep, customer, pipeline, emitted):
    opp = opportunity_create(by=rep, customer_id=customer.pk, name="Seguro", amount=300)
    lost = stage(pipeline, "Lost")
    with pytest.raises(ValidationFailed) as refused:
        opportunity_move(by=rep, opportunity_id=opp.pk, stage_id=lost.pk)
    assert refused.value.field == "lost_reason"
    reason = LostReasonFactory(name="Price")
    with emitted() as events:
        opp = opportunity_move(
            by=rep, opportunity_id=opp.pk, stage_id=lost.pk, lost_reason_id=reason.pk
        )
    assert (opp.status, opp.lost_reason, opp.closed_at is not None) == ("lost", reason, True)
    assert "opportunity.lost" in [name for name, _ in events]
    assert Interaction.objects.filter(subject="Opportunity lost: Seguro (Price)").exists()


def test_won_emits_the_win_and_reopening_clears_the_close(rep, customer, pipeline, emitted):
    opp = opportunity_create(by=rep, customer_id=customer.pk, name="Hipoteca", amount=150000)
    with emitted() as events:
        opp = opportunity_move(by=rep, opportunity_id=opp.pk, stage_id=stage(pipeline, "Won").pk)
    assert (
        "opportunity.won",
        {
            "opportunity_id": opp.pk,
            "customer_id": customer.pk,
            "amount_base": "150000.00",
            "by": rep.pk,
        },
    ) in events
    opp = opportunity_move(by=rep, opportunity_id=opp.pk, stage_id=stage(pipeline, "Qualify").pk)
    assert (opp.status, opp.closed_at) == ("open", None)


def test_a_stage_of_another_pipeline_is_refused(rep, customer, pipeline):
    other = pipeline_with_stages("Renewals", is_default=False)
    opp = opportunity_create(by=rep, customer_id=customer.pk, name="x")
    with pytest.raises(ValidationFailed) as refused:
        opportunity_move(by=rep, opportunity_id=opp.pk, stage_id=stage(other, "Propose").pk)
    assert refused.value.field == "stage"


def test_reps_see_own_and_team_opportunities_only(rep, team, customer, pipeline):
    mine = opportunity_create(by=rep, customer_id=customer.pk, name="mine")
    teammate = UserFactory(role=Role.SALES_REP, teams=[team])
    outsider = UserFactory(role=Role.SALES_REP, teams=[TeamFactory()])
    assert list(opportunities_visible_to(teammate)) == [mine]
    assert list(opportunities_visible_to(outsider)) == []
    with pytest.raises(NotFound):
        opportunity_move(by=outsider, opportunity_id=mine.pk, stage_id=stage(pipeline, "Won").pk)


def test_an_analyst_cannot_move(customer, pipeline, rep):
    opp = opportunity_create(by=rep, customer_id=customer.pk, name="x")
    analyst = UserFactory(role=Role.ANALYST)
    with pytest.raises(PermissionDenied):
        opportunity_move(by=analyst, opportunity_id=opp.pk, stage_id=stage(pipeline, "Won").pk)


def test_a_currency_without_rate_is_refused_on_the_currency(rep, customer, pipeline):
    with pytest.raises(ValidationFailed) as refused:
        opportunity_create(by=rep, customer_id=customer.pk, name="x", amount=10, currency="XTS")
    assert refused.value.field == "currency"
    assert not Opportunity.objects.exists()
