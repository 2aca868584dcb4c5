"""An alert raised by hand from the ficha or the API, for oneself or a colleague: the
service the rules use; it lands in the assignee's alerts and on the timeline."""

import pytest

from panorama.accounts.models import Role
from panorama.automation.models import Alert
from panorama.channels.models import Interaction

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(team):
    return UserFactory(username="carmen", first_name="Carmen", role=Role.SALES_REP, teams=[team])


def test_a_rep_raises_an_alert_for_a_colleague_from_the_ficha(
    client, api_as, rep, colleague, customer
):
    client.force_login(rep)
    ficha = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f"/automation/customers/{customer.pk}/alerts/new/" in ficha
    page = client.get(f"/automation/customers/{customer.pk}/alerts/new/")
    assert page.status_code == 200 and "Carmen" in page.content.decode()
    done = client.post(
        f"/automation/customers/{customer.pk}/alerts/new/",
        {
            "title": "Pregunta por la hipoteca",
            "body": "Llamó ayer",
            "priority": "3",
            "user_id": str(colleague.pk),
        },
    )
    assert done.status_code == 302 and done.url == f"/customers/{customer.pk}/"
    [mine] = api_as(colleague).get("/automation/alerts").json()
    assert mine["title"] == "Pregunta por la hipoteca" and mine["priority"] == 3
    note = Interaction.objects.get(customer=customer, channel="note")
    assert "Pregunta por la hipoteca" in note.subject and "Carmen" in note.subject
    ficha = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Pregunta por la hipoteca" in ficha


def test_an_alert_for_no_one_is_for_oneself_and_errors_are_422(client, rep, customer):
    client.force_login(rep)
    url = f"/automation/customers/{customer.pk}/alerts/new/"
    client.post(url, {"title": "Revisar", "priority": "2"})
    assert Alert.objects.get(title="Revisar").user_id == rep.pk
    outsider = UserFactory(username="otro", first_name="Otro", role=Role.SALES_REP)
    refused = client.post(url, {"title": "X", "priority": "2", "user_id": str(outsider.pk)})
    assert refused.status_code == 422
    assert "cannot see this customer" in refused.content.decode()
    assert not Alert.objects.filter(title="X").exists()


def test_the_api_raises_one_and_keeps_the_scope(api_as, rep, colleague, customer):
    api = api_as(rep)
    created = api.post(
        "/automation/alerts",
        json={"customer_id": customer.pk, "title": "Renovación", "user_id": colleague.pk},
    )
    assert created.status_code == 201 and created.json()["user_id"] == colleague.pk
    assert Interaction.objects.filter(customer=customer, channel="note").count() == 1
    assert (
        api.post("/automation/alerts", json={"customer_id": customer.pk, "title": " "}).status_code
        == 422
    )
    stranger = UserFactory(username="lejos", role=Role.SALES_REP)
    hidden = api_as(stranger).post(
        "/automation/alerts", json={"customer_id": customer.pk, "title": "Hola"}
    )
    assert hidden.status_code == 404
    analyst = UserFactory(username="ana_lista", role=Role.ANALYST)
    read_only = api_as(analyst).post(
        "/automation/alerts", json={"customer_id": customer.pk, "title": "Hola"}
    )
    assert read_only.status_code == 403
