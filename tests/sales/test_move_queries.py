"""What a stage move costs the database: a fixed number of statements through the API
and the board, whatever the opportunity's history, each a round trip on PostgreSQL.

The counts are those of the test, where the move's transaction is a savepoint inside the
test's (SAVEPOINT and RELEASE: two statements a real request does not send, as its
transaction starts and ends without one). A statement that comes back fails them.
"""

import datetime

import pytest
from django.urls import reverse

from panorama.automation.engine import rules_on
from panorama.channels.models import Interaction
from panorama.sales.models import Opportunity, StageChange
from panorama.sales.services.opportunity import opportunity_create, opportunity_move

from ..factories import CustomerFactory, LostReasonFactory

pytestmark = pytest.mark.django_db

# The token's user (1, its last use recorded before); SAVEPOINT; the opportunity locked
# with its stage, customer and lost reason (1); the target stage (1); the UPDATE (1); the
# stage change (1); the timeline entry (1); RELEASE; the products of the answer (1).
API_MOVE = 9
# The session and its user (2); SAVEPOINT; the same five statements; RELEASE; the two
# columns' totals (1).
BOARD_MOVE = 10


@pytest.fixture
def opp(rep, team, pipeline):
    """An opportunity with what every open stage requires, moved a few times already."""
    customer = CustomerFactory(owner=rep, team=team)
    opp = opportunity_create(
        by=rep,
        customer_id=customer.pk,
        name="Fibra",
        amount=100,
        expected_close=datetime.date(2027, 1, 31),
        next_step="Llamar",
    )
    propose, negotiate = (pipeline.stages.get(name=n).pk for n in ("Propose", "Negotiate"))
    for stage_id in (propose, negotiate, propose):
        opportunity_move(by=rep, opportunity_id=opp.pk, stage_id=stage_id)
    return opp


def _stage(pipeline, name):
    return pipeline.stages.get(name=name)


def _warm(api, opp):
    """What a busy server has at hand: the token's last use recorded (at most every five
    minutes), the active rules read (every five seconds, to know whether one takes the
    timeline's ``interaction.recorded``)."""
    assert api.get(f"/opportunities/{opp.pk}").status_code == 200
    rules_on("interaction.recorded")


def test_an_api_move_costs_a_fixed_number_of_statements(
    api_as, rep, opp, pipeline, django_assert_num_queries
):
    api = api_as(rep)
    negotiate = _stage(pipeline, "Negotiate")
    _warm(api, opp)
    with django_assert_num_queries(API_MOVE):
        moved = api.post(f"/opportunities/{opp.pk}/move", json={"stage_id": negotiate.pk})
    assert moved.status_code == 200, moved.content
    body = moved.json()
    assert (body["stage_name"], body["customer_name"]) == ("Negotiate", opp.customer.display_name)
    assert body["probability"] == negotiate.probability and body["products"] == []
    last = StageChange.objects.filter(opportunity=opp).latest("id")
    assert (last.from_stage.name, last.to_stage.name, last.by) == ("Propose", "Negotiate", rep)
    assert Interaction.objects.filter(subject="Opportunity Fibra: Propose → Negotiate").exists()


def test_a_lost_move_reads_its_reason_and_writes_the_rules_event(
    api_as, rep, opp, pipeline, django_assert_num_queries
):
    """Three statements more: the reason (active?) and ``opportunity.lost`` in the
    outbox for the rules (the event and its delivery)."""
    reason = LostReasonFactory(name="Precio")
    lost = _stage(pipeline, "Lost")
    api = api_as(rep)
    _warm(api, opp)
    with django_assert_num_queries(API_MOVE + 3):
        moved = api.post(
            f"/opportunities/{opp.pk}/move",
            json={"stage_id": lost.pk, "lost_reason_id": reason.pk, "lost_note": "Caro"},
        )
    assert moved.status_code == 200, moved.content
    assert (moved.json()["status"], moved.json()["lost_reason_id"]) == ("lost", reason.pk)
    assert Interaction.objects.filter(subject="Opportunity lost: Fibra (Precio)").exists()


def test_a_board_move_costs_a_fixed_number_of_statements(
    client, rep, opp, pipeline, django_assert_num_queries
):
    client.force_login(rep)
    client.get(reverse("sales:board", args=[pipeline.pk]))  # the session is warm
    rules_on("interaction.recorded")
    propose, negotiate = _stage(pipeline, "Propose"), _stage(pipeline, "Negotiate")
    with django_assert_num_queries(BOARD_MOVE):
        answer = client.post(reverse("sales:board_move", args=[opp.pk]), {"stage_id": negotiate.pk})
    assert answer.status_code == 200, answer.content
    columns = answer.json()["columns"]
    assert sorted(columns) == sorted([str(propose.pk), str(negotiate.pk)])
    assert (columns[str(propose.pk)]["count"], columns[str(negotiate.pk)]["count"]) == (0, 1)
    assert Opportunity.objects.get(pk=opp.pk).stage == negotiate
