"""/api/v1/tokens: everyone lists, issues and revokes his own API tokens; an
administrator every user's. The same services as the tokens' settings screen."""

import pytest

from panorama.accounts.models import ApiToken, Role
from panorama.core.models import AuditEvent

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(db):
    return UserFactory(username="boss", role=Role.ADMIN)


def test_a_rep_issues_himself_a_token_shown_once(api_as, rep):
    as_rep = api_as(rep)
    r = as_rep.post("/tokens", json={"name": "Zapier"})
    assert r.status_code == 201
    assert r["Cache-Control"] == "no-store"
    body = r.json()
    assert body["key"].startswith(body["prefix"]) and body["user"]["username"] == "rep"
    assert as_rep.get(f"/tokens/{body['id']}").json().get("key") is None
    assert (
        as_rep.client.get(  # the new key works
            "/api/v1/tokens", headers={"Authorization": f"Bearer {body['key']}"}
        ).status_code
        == 200
    )
    assert AuditEvent.objects.filter(kind="token_created", username="rep").exists()


def test_a_rep_sees_and_revokes_only_his_own(api_as, rep, boss):
    as_rep = api_as(rep)
    own = as_rep.post("/tokens", json={"name": "mine"}).json()
    theirs = api_as(boss).post("/tokens", json={"name": "boss's"}).json()
    names = {t["name"] for t in as_rep.get("/tokens").json()["items"]}
    assert "mine" in names and "boss's" not in names
    assert as_rep.get(f"/tokens/{theirs['id']}").status_code == 404
    assert as_rep.post(f"/tokens/{theirs['id']}/revoke").status_code == 404
    r = as_rep.post("/tokens", json={"name": "for boss", "user_id": boss.pk})
    assert r.status_code == 403
    assert r.json()["detail"] == "Only administrators may issue or list API tokens."
    revoked = as_rep.post(f"/tokens/{own['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert ApiToken.objects.get(pk=theirs["id"]).revoked_at is None


def test_an_administrator_lists_all_issues_and_revokes_for_others(api_as, rep, boss):
    as_boss = api_as(boss)
    issued = as_boss.post("/tokens", json={"name": "for rep", "user_id": rep.pk})
    assert issued.status_code == 201 and issued.json()["user"]["username"] == "rep"
    users = {t["user"]["username"] for t in as_boss.get("/tokens").json()["items"]}
    assert users == {"boss", "rep"}
    mine = as_boss.get("/tokens?mine=true").json()["items"]
    assert {t["user"]["username"] for t in mine} == {"boss"}
    as_boss.post(f"/tokens/{issued.json()['id']}/revoke")
    revoked = as_boss.get("/tokens?active=false").json()["items"]
    assert [t["name"] for t in revoked] == ["for rep"]
    assert as_boss.post("/tokens", json={"name": "x", "user_id": 10**6}).status_code == 404


def test_tokens_page_by_keyset_newest_first(api_as, boss):
    as_boss = api_as(boss)
    for n in range(3):
        as_boss.post("/tokens", json={"name": f"t{n}"})
    first = as_boss.get("/tokens?limit=2").json()
    assert [t["name"] for t in first["items"]] == ["t2", "t1"]
    rest = as_boss.get(f"/tokens?limit=2&cursor={first['next_cursor']}").json()
    assert [t["name"] for t in rest["items"]] == ["t0", "default"]
    assert as_boss.get("/tokens?cursor=nonsense").status_code == 422


def test_a_token_needs_a_name(api_as, rep):
    r = api_as(rep).post("/tokens", json={"name": "  "})
    assert r.status_code == 422
    assert r.json()["detail"] == "Give the token a name, e.g. what will use it."
