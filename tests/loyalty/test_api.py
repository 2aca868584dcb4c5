"""The loyalty API: programmes, enrolment, statements, redeem and adjust; bad input is a
4xx with a message and changes nothing."""

import pytest

from panorama.accounts.models import Role
from panorama.loyalty.models import Membership, Movement, Reward
from panorama.loyalty.services.members import movement_post
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_programmes_are_listed_with_their_tiers_and_rewards(api, programme):
    listed = api.get("/loyalty/programmes").json()
    assert [p["name"] for p in listed] == ["Club Panorama"]
    detail = api.get(f"/loyalty/programmes/{programme.pk}").json()
    assert [t["name"] for t in detail["tiers"]] == ["Bronce", "Plata", "Oro"]
    assert [r["name"] for r in detail["rewards"]] == ["Taza", "Cheque 10 €"]
    assert api.get("/loyalty/programmes/999999").status_code == 404


def test_a_marketer_creates_a_programme_and_bad_values_are_422(api_as, marketer):
    client = api_as(marketer)
    created = client.post("/loyalty/programmes", json={"name": "Millas", "points_per_unit": "2"})
    assert created.status_code == 201, created.content
    assert created.json()["points_per_unit"] == "2.00"
    wrong = client.post("/loyalty/programmes", json={"name": "Otro", "currency": "eur1"})
    assert wrong.status_code == 422
    assert wrong.json()["errors"]["currency"]
    again = client.post("/loyalty/programmes", json={"name": "Millas"})
    assert again.status_code == 409


def test_enrol_then_enrol_again_is_a_409_with_the_reason(api, programme, ana):
    created = api.post(
        "/loyalty/members", json={"programme_id": programme.pk, "customer_id": ana.pk}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["customer_id"] == ana.pk and body["tier"] == "Bronce" and body["balance"] == 0
    again = api.post("/loyalty/members", json={"programme_id": programme.pk, "customer_id": ana.pk})
    assert again.status_code == 409
    assert "already a member" in again.json()["detail"]
    unknown = api.post("/loyalty/members", json={"programme_id": 424242, "customer_id": ana.pk})
    assert unknown.status_code == 422
    assert unknown.json()["errors"]["programme_id"]
    assert Membership.objects.count() == 1


def test_redeem_without_enough_points_is_422_and_nothing_moves(api, member):
    cheque = Reward.objects.get(name="Cheque 10 €")
    answer = api.post(f"/loyalty/members/{member.pk}/redemptions", json={"reward_id": cheque.pk})
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("Not enough puntos")
    assert not Movement.objects.exists()
    foreign = api.post(f"/loyalty/members/{member.pk}/redemptions", json={"reward_id": 999999})
    assert foreign.status_code == 422


def test_redeem_and_adjust_then_read_the_statement_by_pages(api, member):
    movement_post(membership=member, kind="earn", points=300)
    taza = Reward.objects.get(name="Taza")
    redeemed = api.post(f"/loyalty/members/{member.pk}/redemptions", json={"reward_id": taza.pk})
    assert redeemed.status_code == 201, redeemed.content
    assert redeemed.json()["balance_after"] == 200
    adjusted = api.post(
        f"/loyalty/members/{member.pk}/adjustments", json={"points": 5, "reason": "Regalo"}
    )
    assert adjusted.status_code == 201
    no_reason = api.post(
        f"/loyalty/members/{member.pk}/adjustments", json={"points": 5, "reason": ""}
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"]["reason"]

    first = api.get(f"/loyalty/members/{member.pk}/statement?limit=2").json()
    assert [m["kind"] for m in first["items"]] == ["adjust", "redeem"]
    assert first["totals"]["earn"] == 300 and first["totals"]["redeem"] == -100
    assert first["member"]["balance"] == 205
    rest = api.get(
        f"/loyalty/members/{member.pk}/statement?limit=2&cursor={first['next_cursor']}"
    ).json()
    assert [m["kind"] for m in rest["items"]] == ["earn"] and rest["next_cursor"] is None

    assert api.get(f"/loyalty/members/{member.pk}/statement?cursor=zzz").status_code == 422
    assert api.get(f"/loyalty/members/{member.pk}/statement?kind=gift").status_code == 422
    backwards = api.get(f"/loyalty/members/{member.pk}/statement?since=2026-05-02&until=2026-05-01")
    assert backwards.status_code == 422


def test_a_rep_sees_only_the_members_of_his_customers(api_as, member, programme, rep):
    stranger = CustomerFactory(first_name="Luis")
    other = Membership.objects.create(
        programme=programme, customer=stranger, card_number="7000000000000006"
    )
    client = api_as(rep)  # ana is in his team, Luis in none
    listed = client.get("/loyalty/members").json()
    assert [m["id"] for m in listed["items"]] == [member.pk]
    assert client.get(f"/loyalty/members/{other.pk}").status_code == 404
    assert client.get(f"/loyalty/members/{other.pk}/statement").status_code == 404
    taza = Reward.objects.get(name="Taza")
    assert (
        client.post(f"/loyalty/members/{other.pk}/redemptions", json={"reward_id": taza.pk})
    ).status_code == 404


def test_an_analyst_reads_but_does_not_enrol(api_as, programme, ana):
    analyst = UserFactory(username="analista", role=Role.ANALYST)
    answer = api_as(analyst).post(
        "/loyalty/members", json={"programme_id": programme.pk, "customer_id": ana.pk}
    )
    assert answer.status_code == 403
    assert api_as(analyst).get("/loyalty/programmes").status_code == 200


def test_the_360_api_carries_the_loyalty_panel_and_identify_finds_the_card(api, member, ana):
    movement_post(membership=member, kind="earn", points=120)
    ficha = api.get(f"/customers/{ana.pk}/360")
    assert ficha.status_code == 200, ficha.content
    [panel] = [p["data"] for p in ficha.json()["panels"] if p["key"] == "loyalty"]
    [standing] = panel["standings"]
    assert standing["card_number"] == member.card_number
    assert (standing["tier"], standing["balance"], standing["next_tier"]) == (
        "Bronce",
        120,
        "Plata",
    )
    assert standing["to_next"] == 380
    assert panel["programmes"] == []
    found = api.get(f"/identify?value={member.card_number}").json()
    assert found["status"] == "found"
    assert [(m["customer"]["id"], m["matched_kind"]) for m in found["matches"]] == [
        (ana.pk, "loyalty_card")
    ]
