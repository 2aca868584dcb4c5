"""The pipeline board: bounded queries whatever the number of opportunities, the
columns' totals in the user's scope, moves answered in JSON, load more."""

from decimal import Decimal

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.sales import selectors
from panorama.sales.models import Opportunity, Stage
from panorama.sales.services.opportunity import opportunity_create

from ..factories import (
    CustomerFactory,
    LostReasonFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _open(n, *, owner, team, stage=None, amount=100):
    customer = CustomerFactory(owner=owner, team=team)
    return [
        opportunity_create(
            by=None,
            customer_id=customer.pk,
            name=f"Opp {i}",
            amount=amount,
            owner=owner,
            team=team,
            stage_id=stage.pk if stage else None,
        )
        for i in range(n)
    ]


def test_the_board_costs_the_same_queries_whatever_the_number_of_cards(
    client, rep, team, pipeline, django_assert_num_queries
):
    _open(3, owner=rep, team=team)
    client.force_login(rep)
    url = reverse("sales:board", args=[pipeline.pk])
    client.get(url)  # warm the content-type and session caches
    with django_assert_num_queries(8) as few:
        assert client.get(url).status_code == 200
    _open(60, owner=rep, team=team)
    _open(5, owner=rep, team=team, stage=pipeline.stages.get(name="Won"))
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert len(few.captured_queries) <= 10
    board = page.context["board"]
    qualify = board.columns[0]
    assert (qualify.count, qualify.total) == (63, Decimal("6300.00"))
    assert len(qualify.cards) == 50 and qualify.next_cursor
    html = page.content.decode()
    assert "6.300,00" in html or "6,300.00" in html
    card = qualify.cards[0]
    assert (card.customer_name, card.owner_name) == (
        card.customer.display_name,
        rep.get_full_name(),
    )
    assert f"<span>{rep.get_full_name()}</span>" in html


def test_a_column_loads_its_next_cards(client, rep, team, pipeline):
    _open(55, owner=rep, team=team)
    client.force_login(rep)
    board = selectors.pipeline_board(user=rep, pipeline_id=pipeline.pk)
    first = board.columns[0]
    more = client.get(
        reverse("sales:board_column", args=[pipeline.pk, first.stage.pk]),
        {"cursor": first.next_cursor},
    )
    assert more.status_code == 200
    shown = {c.pk for c in first.cards} | {c.pk for c in more.context["cards"]}
    assert len(shown) == 55
    assert "data-more-url" not in more.content.decode()
    broken = client.get(
        reverse("sales:board_column", args=[pipeline.pk, first.stage.pk]), {"cursor": "x"}
    )
    assert broken.status_code == 422


def test_the_board_shows_only_what_the_user_sees(client, rep, team, pipeline):
    _open(2, owner=rep, team=team, amount=10)
    other = UserFactory(username="sur", teams=[TeamFactory(name="Sur")])
    _open(3, owner=other, team=other.teams.get(), amount=1000)
    board = selectors.pipeline_board(user=rep, pipeline_id=pipeline.pk)
    assert (board.columns[0].count, board.columns[0].total) == (2, Decimal("20.00"))


def test_a_move_answers_the_two_columns_new_totals(client, rep, team, pipeline, emitted):
    opp, _other = _open(2, owner=rep, team=team, amount=250)
    client.force_login(rep)
    won = pipeline.stages.get(name="Won")
    with emitted() as events:
        answer = client.post(reverse("sales:board_move", args=[opp.pk]), {"stage_id": won.pk})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    qualify = str(pipeline.stages.get(name="Qualify").pk)
    assert body["columns"][qualify]["count"] == 1
    assert body["columns"][str(won.pk)]["total"] == "250.00"
    assert body["columns"][str(won.pk)]["total_display"] == "€250.00"
    assert "opportunity.won" in [name for name, _ in events]


def test_a_refused_move_answers_the_message_and_the_field(client, rep, team, pipeline):
    (opp,) = _open(1, owner=rep, team=team)
    client.force_login(rep)
    lost = pipeline.stages.get(name="Lost")
    url = reverse("sales:board_move", args=[opp.pk])
    refused = client.post(url, {"stage_id": lost.pk})
    assert refused.status_code == 422
    assert refused.json()["field"] == "lost_reason"
    assert Opportunity.objects.get(pk=opp.pk).stage.name == "Qualify"
    reason = LostReasonFactory(name="Precio")
    moved = client.post(
        url, {"stage_id": lost.pk, "lost_reason_id": reason.pk, "lost_note": "Caro"}
    )
    assert moved.status_code == 200
    assert Opportunity.objects.get(pk=opp.pk).lost_reason == reason
    assert client.post(url, {"stage_id": "abc"}).status_code == 422


def test_an_analyst_cannot_move_and_the_card_stays(client, team, rep, pipeline):
    (opp,) = _open(1, owner=rep, team=team)
    analyst = UserFactory(username="analista", role=Role.ANALYST)
    client.force_login(analyst)
    answer = client.post(
        reverse("sales:board_move", args=[opp.pk]),
        {"stage_id": pipeline.stages.get(name="Won").pk},
    )
    assert answer.status_code == 403
    assert answer.json()["detail"] == "Your role can read sales records but not change them."
    assert Opportunity.objects.get(pk=opp.pk).stage.kind == Stage.Kind.OPEN


def test_the_board_api(api_as, rep, team, pipeline, django_assert_num_queries):
    """Four statements (the token's user; the pipeline with its stages; the totals; the
    cards), whatever the number of cards."""
    first = _open(2, owner=rep, team=team, amount=5)
    api = api_as(rep)
    api.get(f"/pipelines/{pipeline.pk}/board")  # the token's last use recorded
    with django_assert_num_queries(4):
        board = api.get(f"/pipelines/{pipeline.pk}/board").json()
    assert [c["stage_name"] for c in board["columns"]][:2] == ["Qualify", "Propose"]
    assert board["columns"][0]["count"] == 2 and board["columns"][0]["total"] == "10.00"
    card = board["columns"][0]["cards"][0]
    assert card["customer_name"] == first[0].customer.display_name
    assert card["owner_id"] == rep.pk


def test_an_ownerless_card_shows_no_owner_and_a_username_stands_for_no_name(
    client, rep, team, pipeline
):
    (nobodys,) = _open(1, owner=None, team=team)
    nameless = UserFactory(username="mrojo", first_name="", last_name="", teams=[team])
    (named,) = _open(1, owner=nameless, team=team)
    board = selectors.pipeline_board(user=rep, pipeline_id=pipeline.pk)
    names = {c.pk: c.owner_name for c in board.columns[0].cards}
    assert names == {nobodys.pk: None, named.pk: "mrojo"}
