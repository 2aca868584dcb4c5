import pytest

from panorama.accounts.models import Role

from ..factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_open_reply_and_close_a_case_through_the_api(api_as):
    agent = UserFactory(username="agent", role=Role.SERVICE_AGENT)
    customer = CustomerFactory()
    api = api_as(agent)
    opened = api.post("/cases", json={"customer_id": customer.pk, "subject": "Sin fibra"})
    assert opened.status_code == 201, opened.content
    case_id = opened.json()["id"]
    assert (
        api.post(f"/cases/{case_id}/assign", json={"owner_id": agent.pk}).json()["status"] == "open"
    )
    reply = api.post(f"/cases/{case_id}/messages", json={"body": "Lo revisamos"})
    assert reply.status_code == 201 and reply.json()["interaction_id"]
    closed = api.post(f"/cases/{case_id}/status", json={"status": "closed"})
    assert closed.json()["status"] == "closed"
    again = api.post(f"/cases/{case_id}/messages", json={"body": "?"})
    assert again.status_code == 409 and again.json()["errors"] == {"body": [again.json()["detail"]]}
    assert [c["id"] for c in api.get("/cases?status=closed").json()["items"]] == [case_id]


def test_a_rep_cannot_read_a_case_of_a_customer_he_does_not_see(api_as):
    agent = UserFactory(username="agent", role=Role.SERVICE_AGENT)
    customer = CustomerFactory(owner=UserFactory(), team=TeamFactory(name="Sur"))
    case_id = (
        api_as(agent).post("/cases", json={"customer_id": customer.pk, "subject": "x"}).json()["id"]
    )
    rep = UserFactory(username="rep9", role=Role.SALES_REP, teams=[TeamFactory(name="Norte")])
    assert api_as(rep).get(f"/cases/{case_id}").status_code == 404
    assert api_as(rep).post(f"/cases/{case_id}/messages", json={"body": "x"}).status_code == 404


def test_a_case_opened_through_the_api_came_by_the_api_unless_it_says(api_as):
    agent = UserFactory(username="agent", role=Role.SERVICE_AGENT)
    customer = CustomerFactory()
    api = api_as(agent)
    opened = api.post("/cases", json={"customer_id": customer.pk, "subject": "Sin fibra"})
    assert opened.status_code == 201, opened.content
    assert opened.json()["channel"] == "api"
    assert api.get(f"/cases/{opened.json()['id']}").json()["channel"] == "api"
    entry = customer.interactions.get()
    assert (entry.channel, entry.get_channel_display()) == ("api", "API")
    by_phone = api.post(
        "/cases", json={"customer_id": customer.pk, "subject": "Llamó", "channel": "phone"}
    )
    assert by_phone.json()["channel"] == "phone"
    bad = api.post("/cases", json={"customer_id": customer.pk, "subject": "x", "channel": "pigeon"})
    assert bad.status_code == 422 and "channel" in bad.json()["errors"]
