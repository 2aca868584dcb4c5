"""A case's details (type, priority, queue, product, asset) change after it was opened:
checked as when it was opened, told on its thread as an internal note, from the
service, the case page and the API."""

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.service.models import Asset, Case, CaseMessage
from panorama.service.services.case import case_open
from panorama.service.services.case_edit import case_update
from tests.catalog.factories import ProductFactory

from ..factories import CustomerFactory, QueueFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    agent = UserFactory(username="eva", role=Role.SERVICE_AGENT)
    first, second = QueueFactory(name="Nivel 1"), QueueFactory(name="Nivel 2")
    ana = CustomerFactory(first_name="Ana")
    router = ProductFactory(name="Router X")
    asset = Asset.objects.create(customer=ana, product=router, serial_number="RX-1")
    case = case_open(
        by=agent, customer_id=ana.pk, subject="Sin línea", queue_id=first.pk, owner=agent
    )
    return agent, case, second, router, asset


def test_an_agent_changes_a_cases_details_and_its_thread_says_what_changed(world, emitted):
    agent, case, second, router, asset = world
    with emitted() as events:
        case_update(
            by=agent,
            case_id=case.pk,
            changes={"priority": "urgent", "type": "incident", "queue_id": second.pk},
        )
    case.refresh_from_db()
    assert (case.priority, case.type, case.queue) == ("urgent", "incident", second)
    assert case.owner == agent  # a new queue reroutes nothing
    [note] = case.messages.filter(kind=CaseMessage.Kind.NOTE)
    assert note.author == agent
    assert note.body.splitlines() == [
        "Case details changed.",
        "Type: Question → Incident",
        "Priority: Normal → Urgent",
        "Queue: Nivel 1 → Nivel 2",
    ]
    changed = [("case.updated", p) for n, p in events if n == "case.updated"]
    assert changed == [
        (
            "case.updated",
            {
                "case_id": case.pk,
                "customer_id": case.customer_id,
                "changed": ["type", "priority", "queue"],
                "by": agent.pk,
            },
        )
    ]

    # An asset brings its product; the same values again change nothing.
    case_update(by=agent, case_id=case.pk, changes={"asset_id": asset.pk})
    case.refresh_from_db()
    assert (case.asset, case.product) == (asset, router)
    with emitted() as events:
        case_update(by=agent, case_id=case.pk, changes={"asset_id": asset.pk, "priority": "urgent"})
    assert events == [] and case.messages.filter(kind="note").count() == 2


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"priority": "asap"}, "priority", "Unknown priority asap."),
        ({"type": ""}, "type", "A case needs a type."),
        ({"queue_id": 999999}, "queue", "Queue 999999 does not exist."),
        ({"product_id": 999999}, "product", "Product 999999 does not exist."),
        ({"subject": "Otro"}, "subject", "cannot be changed here: subject."),
    ],
)
def test_a_wrong_detail_is_refused_naming_the_field_and_nothing_changes(
    world, changes, field, message
):
    agent, case, *_ = world
    with pytest.raises(ValidationFailed, match=message) as refused:
        case_update(by=agent, case_id=case.pk, changes=changes)
    assert refused.value.field == field
    case.refresh_from_db()
    assert (case.priority, case.type, case.queue.name) == ("normal", "question", "Nivel 1")
    assert not case.messages.exists()


def test_an_asset_of_another_customer_and_a_read_only_role_are_refused(world):
    agent, case, _second, router, _asset = world
    other = Asset.objects.create(customer=CustomerFactory(), product=router, serial_number="RX-2")
    with pytest.raises(ValidationFailed, match="is not one of this customer's") as refused:
        case_update(by=agent, case_id=case.pk, changes={"asset_id": other.pk})
    assert refused.value.field == "asset"
    analyst = UserFactory(username="ana_lista", role=Role.ANALYST)
    with pytest.raises(PermissionDenied):
        case_update(by=analyst, case_id=case.pk, changes={"priority": "low"})
    assert Case.objects.get(pk=case.pk).asset is None


def test_the_case_page_edits_the_details(world, client):
    agent, case, second, router, asset = world
    client.force_login(agent)
    url = reverse("service:case_detail", args=[case.pk])
    page = client.get(url).content.decode()
    assert 'id="case-edit-form"' in page and "· RX-1</option>" in page
    edit = reverse("service:case_edit", args=[case.pk])
    form = {"type": "complaint", "priority": "high", "queue": second.pk, "asset": asset.pk}
    response = client.post(edit, form)
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert 'id="case-priority">High<' in page and "Case details saved." in page
    assert "Priority: Normal → High" in page and "Queue: Nivel 1 → Nivel 2" in page
    case.refresh_from_db()
    assert (case.type, case.queue, case.asset, case.product) == ("complaint", second, asset, router)

    refused = client.post(edit, {**form, "priority": "asap"})
    assert refused.status_code == 422
    assert "Select a valid choice" in refused.content.decode()
    assert Case.objects.get(pk=case.pk).priority == "high"


def test_the_case_page_speaks_spanish(world, client):
    agent, case, second, *_ = world
    agent.language = "es"
    agent.save(update_fields=["language"])
    client.force_login(agent)
    edit = reverse("service:case_edit", args=[case.pk])
    client.post(edit, {"type": "question", "priority": "urgent", "queue": second.pk})
    page = client.get(reverse("service:case_detail", args=[case.pk])).content.decode()
    assert "Datos del caso guardados." in page and "Guardar datos" in page
    assert "Datos del caso cambiados." in page


def test_the_api_changes_a_case_answers_422_naming_the_field_403_and_404(world, api_as):
    agent, case, second, router, asset = world
    api = api_as(agent)
    changed = api.patch(f"/cases/{case.pk}", json={"priority": "high", "asset_id": asset.pk})
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["priority"], body["asset_id"], body["product_id"]) == ("high", asset.pk, router.pk)
    assert body["queue_id"] == case.queue_id  # not sent: unchanged
    cleared = api.patch(f"/cases/{case.pk}", json={"queue_id": None})
    assert cleared.status_code == 200 and cleared.json()["queue_id"] is None

    wrong = api.patch(f"/cases/{case.pk}", json={"priority": "asap"})
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == {"priority": ["Unknown priority asap."]}
    other = Asset.objects.create(customer=CustomerFactory(), product=router, serial_number="Z")
    wrong = api.patch(f"/cases/{case.pk}", json={"asset_id": other.pk})
    assert wrong.status_code == 422 and list(wrong.json()["errors"]) == ["asset"]

    analyst = UserFactory(username="ana_lista", role=Role.ANALYST)
    assert api_as(analyst).patch(f"/cases/{case.pk}", json={"priority": "low"}).status_code == 403
    assert api.patch("/cases/999999", json={"priority": "low"}).status_code == 404
    assert Case.objects.get(pk=case.pk).priority == "high"
