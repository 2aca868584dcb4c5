import pytest

from panorama.sales.models import Lead, Opportunity

from ..factories import CustomerFactory, TeamFactory, UserFactory, pipeline_with_stages

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(rep, team):
    return CustomerFactory(owner=rep, team=team)


def test_open_move_and_list_through_the_api(api_as, rep, customer):
    pipeline = pipeline_with_stages()
    api = api_as(rep)
    opened = api.post("/opportunities", json={"customer_id": customer.pk, "name": "Fibra"})
    assert opened.status_code == 201, opened.content
    opp_id = opened.json()["id"]
    assert opened.json()["stage_name"] == "Qualify"

    negotiate = pipeline.stages.get(name="Negotiate").pk
    refused = api.post(f"/opportunities/{opp_id}/move", json={"stage_id": negotiate})
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"amount", "expected_close"}
    assert Opportunity.objects.get().stage.name == "Qualify"

    won = pipeline.stages.get(name="Won").pk
    moved = api.post(f"/opportunities/{opp_id}/move", json={"stage_id": won})
    assert moved.json()["status"] == "won"
    listed = api.get("/opportunities?status=won").json()
    assert [o["id"] for o in listed["items"]] == [opp_id]


def test_another_teams_opportunity_is_404(api_as, rep, customer):
    pipeline_with_stages()
    api_as(rep).post("/opportunities", json={"customer_id": customer.pk, "name": "Fibra"})
    outsider = UserFactory(username="outsider", teams=[TeamFactory(name="Sur")])
    opp = Opportunity.objects.get()
    assert api_as(outsider).get(f"/opportunities/{opp.pk}").status_code == 404
    assert api_as(outsider).get("/opportunities").json()["items"] == []


def test_a_lead_from_the_api_is_the_callers(api_as, rep):
    answer = api_as(rep).post("/leads", json={"company": "Talleres Pérez", "email": "Info@TP.es"})
    assert answer.status_code == 201, answer.content
    lead = Lead.objects.get()
    assert (lead.source, lead.owner, lead.email) == ("api", rep, "info@tp.es")
    empty = api_as(rep).post("/leads", json={})
    assert empty.status_code == 422 and Lead.objects.count() == 1
