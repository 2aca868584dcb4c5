import pytest

from panorama.accounts.models import Role
from panorama.customers.models import Customer
from panorama.sales.models import Lead, Opportunity
from panorama.sales.services.lead import lead_create

from ..factories import (
    CustomerFactory,
    IdentityFactory,
    TeamFactory,
    UserFactory,
    pipeline_with_stages,
)
from .test_lead_services import THREE_BAD

pytestmark = pytest.mark.django_db


def test_capture_patch_qualify_convert(api_as, rep, team):
    pipeline = pipeline_with_stages()
    api = api_as(rep)
    made = api.post(
        "/leads",
        json={"first_name": "Eva", "last_name": "Soto", "email": "eva@acme.es", "team_id": team.pk},
    )
    assert made.status_code == 201, made.content
    lead_id = made.json()["id"]
    assert made.json()["source"] == "api" and made.json()["owner_id"] == rep.pk

    patched = api.patch(f"/leads/{lead_id}", json={"job_title": "Director", "country": "ES"})
    assert patched.status_code == 200, patched.content
    assert patched.json()["status"] == "working" and patched.json()["data"] == {"country": "ES"}

    refused = api.post(f"/leads/{lead_id}/disqualify", json={"reason": ""})
    assert refused.status_code == 422 and "reason" in refused.json()["errors"]

    assert api.post(f"/leads/{lead_id}/qualify").json()["status"] == "qualified"
    assert api.get(f"/leads/{lead_id}/matches").json() == []
    converted = api.post(
        f"/leads/{lead_id}/convert",
        json={"opportunity": True, "pipeline_id": pipeline.pk, "amount": "300"},
    )
    assert converted.status_code == 200, converted.content
    body = converted.json()
    assert body["lead"]["status"] == "converted" and not body["reused_customer"]
    assert Customer.objects.get().pk == body["customer_id"]
    assert Opportunity.objects.get().pk == body["opportunity_id"]

    twice = api.post(f"/leads/{lead_id}/convert", json={})
    assert twice.status_code == 409 and "already converted" in twice.json()["detail"]


def test_convert_answers_409_with_the_lookalikes(api_as, rep, team):
    existing = CustomerFactory(first_name="Eva", last_name="Soto", owner=rep, team=team)
    IdentityFactory(customer=existing, kind="phone", value="+34600112233")
    api = api_as(rep)
    lead_id = api.post("/leads", json={"last_name": "Soto", "phone": "600 11 22 33"}).json()["id"]
    matches = api.get(f"/leads/{lead_id}/matches").json()
    assert matches[0]["customer_id"] == existing.pk and "same phone" in matches[0]["reasons"]
    asked = api.post(f"/leads/{lead_id}/convert", json={})
    assert asked.status_code == 409
    assert asked.json()["errors"]["customer_id"][0].startswith(f"{existing.pk}:")
    chosen = api.post(f"/leads/{lead_id}/convert", json={"customer_id": existing.pk})
    assert chosen.json()["reused_customer"] is True


def test_list_is_scoped_and_keyset_paged(api_as, rep, team):
    for n in range(3):
        lead_create(by=rep, company=f"Acme {n}", team=team)
    lead_create(by=None, company="Nadie")
    other = lead_create(
        by=UserFactory(username="x", teams=[TeamFactory(name="Sur")]), company="Sur"
    )
    api = api_as(rep)
    first = api.get("/leads?limit=2").json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = api.get(f"/leads?limit=2&cursor={first['next_cursor']}").json()
    names = [i["company"] for i in first["items"] + second["items"]]
    assert names == ["Acme 2", "Acme 1", "Acme 0"]
    assert api.get(f"/leads/{other.pk}").status_code == 404
    assert api.post(f"/leads/{other.pk}/qualify").status_code == 404
    manager = UserFactory(username="boss", role=Role.SALES_MANAGER, managed_teams=[team])
    seen = {i["company"] for i in api_as(manager).get("/leads").json()["items"]}
    assert seen == {"Acme 0", "Acme 1", "Acme 2", "Nadie"}
    assert api.get("/leads?status=bogus").status_code == 422


def test_list_query_count_does_not_grow(api_as, rep, team, django_assert_num_queries):
    for n in range(30):
        lead_create(by=rep, company=f"Acme {n}", team=team)
    api = api_as(rep)
    api.get("/leads")  # warm the token's last-used write
    with django_assert_num_queries(2):
        assert len(api.get("/leads").json()["items"]) == 30


def test_assignment_through_patch(api_as, rep, team):
    mate = UserFactory(username="mate", teams=[team])
    api = api_as(rep)
    lead_id = api.post("/leads", json={"company": "Acme"}).json()["id"]
    moved = api.patch(f"/leads/{lead_id}", json={"owner_id": mate.pk, "team_id": team.pk})
    assert moved.status_code == 200 and moved.json()["owner_id"] == mate.pk
    sur = TeamFactory(name="Sur")
    refused = api.patch(f"/leads/{lead_id}", json={"team_id": sur.pk})
    assert refused.status_code == 403
    assert Lead.objects.get().team == team


def test_a_refused_capture_names_every_bad_field(api_as, rep):
    refused = api_as(rep).post("/leads", json=THREE_BAD)
    assert refused.status_code == 422
    body = refused.json()
    assert sorted(body["errors"]) == ["email", "job_title", "phone"]
    assert body["errors"]["email"] == ["no-es-correo is not a valid e-mail address."]
    assert not Lead.objects.exists()
