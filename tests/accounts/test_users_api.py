"""GET/POST/PATCH /api/v1/users: administrators only, the services' rules as 4xx."""

import pytest

from panorama.accounts.models import Role, User

from ..factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(db):
    return UserFactory(username="boss", role=Role.ADMIN)


@pytest.fixture
def as_boss(api_as, boss):
    return api_as(boss)


def test_an_administrator_lists_and_filters_users_by_keyset(as_boss, rep, team):
    UserFactory(username="zoe", role=Role.ANALYST, is_active=False)
    body = as_boss.get("/users?limit=2").json()
    assert [u["username"] for u in body["items"]] == ["boss", "rep"]
    rest = as_boss.get(f"/users?limit=2&cursor={body['next_cursor']}").json()
    assert [u["username"] for u in rest["items"]] == ["zoe"] and rest["next_cursor"] is None
    mine = as_boss.get(f"/users?team_id={team.pk}").json()["items"]
    assert [u["username"] for u in mine] == ["rep"]
    assert mine[0]["teams"] == [{"id": team.pk, "name": team.name}]
    assert [u["username"] for u in as_boss.get("/users?active=false").json()["items"]] == ["zoe"]
    assert [u["username"] for u in as_boss.get("/users?role=analyst").json()["items"]] == ["zoe"]


def test_the_list_costs_the_same_queries_whatever_the_users(as_boss, django_assert_num_queries):
    team = TeamFactory(name="T")
    UserFactory.create_batch(3, teams=[team])
    as_boss.get("/users")
    # Token, the users, their teams, their managed teams.
    with django_assert_num_queries(4):
        assert len(as_boss.get("/users").json()["items"]) == 4
    UserFactory.create_batch(20, teams=[team])
    with django_assert_num_queries(4):
        assert len(as_boss.get("/users").json()["items"]) == 24


def test_a_rep_gets_403_on_every_users_operation(api_as, rep, boss):
    as_rep = api_as(rep)
    for response in (
        as_rep.get("/users"),
        as_rep.get(f"/users/{boss.pk}"),
        as_rep.post("/users", json={"username": "new"}),
        as_rep.patch(f"/users/{rep.pk}", json={"role": "admin"}),
    ):
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "forbidden"
    rep.refresh_from_db()
    assert rep.role == Role.SALES_REP and not User.objects.filter(username="new").exists()


def test_create_returns_201_and_refuses_a_taken_name_with_422(as_boss, team):
    response = as_boss.post(
        "/users",
        json={"username": "ana", "role": "sales_manager", "team_ids": [team.pk], "email": "a@b.es"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["teams"] == [{"id": team.pk, "name": team.name}]
    again = as_boss.post("/users", json={"username": "Ana"})
    assert again.status_code == 422 and "username" in again.json()["errors"]
    unknown = as_boss.post("/users", json={"username": "bea", "team_ids": [9999]})
    assert unknown.status_code == 422 and "team_ids" in unknown.json()["errors"]
    bad_role = as_boss.post("/users", json={"username": "bea", "role": "emperor"})
    assert bad_role.status_code == 422


def test_patch_changes_role_teams_and_deactivates(as_boss, rep, team):
    other = TeamFactory(name="Norte")
    response = as_boss.patch(
        f"/users/{rep.pk}", json={"role": "sales_manager", "team_ids": [other.pk]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "sales_manager"
    assert [t["name"] for t in response.json()["teams"]] == ["Norte"]
    off = as_boss.patch(f"/users/{rep.pk}", json={"is_active": False})
    assert off.status_code == 200 and off.json()["is_active"] is False


def test_patch_keeps_the_rules_self_and_last_admin(as_boss, boss):
    response = as_boss.patch(f"/users/{boss.pk}", json={"role": "sales_rep"})
    assert response.status_code == 422 and "role" in response.json()["errors"]
    UserFactory(username="second", role=Role.ADMIN)
    response = as_boss.patch(f"/users/{boss.pk}", json={"is_active": False, "first_name": "B"})
    assert response.status_code == 422 and "is_active" in response.json()["errors"]
    boss.refresh_from_db()
    assert boss.is_active and boss.first_name != "B"  # nothing of the refused change stays
    assert as_boss.patch("/users/999999", json={"first_name": "x"}).status_code == 404
