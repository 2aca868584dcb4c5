"""The cases pages: the agent's queue, a case's page (thread, reply, note, status,
assignment) and the new-case form, from the ficha too."""

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.service.models import Case, CaseMessage, QueueMember
from panorama.service.services.case import case_message_add, case_open

from ..factories import CustomerFactory, QueueFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client):
    user = UserFactory(username="agente", first_name="Eva", role=Role.SERVICE_AGENT)
    client.force_login(user)
    return user


@pytest.fixture
def queue(agent):
    queue = QueueFactory(name="Fibra")
    QueueMember.objects.create(queue=queue, user=agent, skills=["fibre"])
    return queue


def test_the_queue_shows_my_cases_and_the_unassigned_ones_as_chips(client, agent, queue):
    other = UserFactory(username="otro", role=Role.SERVICE_AGENT)
    ana = CustomerFactory(first_name="Ana", last_name="Ruiz")
    mine = case_open(by=None, customer_id=ana.pk, subject="Sin línea", queue_id=queue.pk)
    theirs = case_open(by=None, customer_id=ana.pk, subject="Factura doble", owner=other)
    loose = case_open(by=None, customer_id=ana.pk, subject="Router roto")

    page = client.get(reverse("service:case_list"), {"owner": "me"}).content.decode()
    assert mine.reference in page and theirs.reference not in page and loose.reference not in page

    page = client.get(reverse("service:case_list"), {"owner": "none"}).content.decode()
    assert loose.reference in page and mine.reference not in page

    page = client.get(reverse("service:case_list"), {"queue": queue.pk}).content.decode()
    assert mine.reference in page and loose.reference not in page
    assert reverse("service:case_detail", args=[mine.pk]) in page


def test_the_queue_costs_the_same_queries_for_many_cases(
    client, agent, queue, django_assert_max_num_queries
):
    for i in range(30):
        case_open(
            by=None,
            customer_id=CustomerFactory().pk,
            subject=f"caso {i}",
            queue_id=queue.pk,
            priority="high",
        )
    with django_assert_max_num_queries(10):
        response = client.get(reverse("service:case_list"), {"status": "open", "priority": "high"})
    assert response.status_code == 200
    assert response.content.decode().count("caso ") >= 30


def test_an_agent_replies_notes_and_resolves_a_case(client, agent, queue, emitted):
    ana = CustomerFactory(first_name="Ana", last_name="Ruiz")
    case = case_open(by=None, customer_id=ana.pk, subject="Sin línea", queue_id=queue.pk)
    url = reverse("service:case_detail", args=[case.pk])

    post_url = reverse("service:case_message", args=[case.pk])
    with emitted() as events:
        client.post(post_url, {"kind": "reply", "body": "Lo miro"})
        client.post(post_url, {"kind": "note", "body": "Avería zona"})
    assert [p["kind"] for n, p in events if n == "case.message_added"] == ["reply", "note"]
    page = client.get(url).content.decode()
    assert "case-message-reply" in page and "case-message-note" in page
    assert "Lo miro" in page and "Avería zona" in page
    assert reverse("customers:detail", args=[ana.pk]) in page
    case.refresh_from_db()
    assert case.first_response_at is not None

    response = client.post(reverse("service:case_status", args=[case.pk]), {"status": "resolved"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED
    page = client.get(url).content.decode()
    assert 'value="reopened"' in page and 'value="waiting"' not in page  # only allowed moves


def test_a_refused_move_and_an_empty_reply_are_shown_on_the_case(client, agent, queue):
    case = case_open(by=None, customer_id=CustomerFactory().pk, subject="x", queue_id=queue.pk)
    response = client.post(reverse("service:case_status", args=[case.pk]), {"status": "reopened"})
    assert response.status_code == 409
    assert "cannot become" in response.content.decode()
    response = client.post(
        reverse("service:case_message", args=[case.pk]), {"kind": "reply", "body": " "}
    )
    assert response.status_code == 422
    assert not CaseMessage.objects.exists()


def test_a_case_is_opened_from_the_ficha_and_assigned(client, agent, queue):
    ana = CustomerFactory(first_name="Ana", last_name="Ruiz")
    ficha = client.get(reverse("customers:detail", args=[ana.pk])).content.decode()
    new_url = reverse("service:case_create") + f"?customer={ana.pk}"
    assert new_url in ficha
    assert "Ana" in client.get(new_url).content.decode()
    response = client.post(
        new_url,
        {
            "customer": ana.pk,
            "subject": "No tengo fibra",
            "type": "incident",
            "priority": "high",
            "channel": "phone",
            "queue": queue.pk,
            "skill": "fibre",
        },
    )
    case = Case.objects.get()
    assert response.url == reverse("service:case_detail", args=[case.pk])
    assert case.owner == agent and case.customer == ana

    other = UserFactory(username="otro", role=Role.SERVICE_AGENT)
    client.post(reverse("service:case_assign", args=[case.pk]), {"owner": other.pk})
    case.refresh_from_db()
    assert case.owner == other


def test_a_case_without_subject_is_refused_beside_the_field(client, agent):
    ana = CustomerFactory()
    response = client.post(
        reverse("service:case_create") + f"?customer={ana.pk}",
        {
            "customer": ana.pk,
            "subject": "",
            "type": "question",
            "priority": "normal",
            "channel": "phone",
        },
    )
    assert response.status_code == 422
    assert not Case.objects.exists()


def test_a_case_outside_the_users_scope_is_404(client):
    rep = UserFactory(username="rep", role=Role.SALES_REP)
    client.force_login(rep)
    case = case_open(by=None, customer_id=CustomerFactory().pk, subject="x")
    assert client.get(reverse("service:case_detail", args=[case.pk])).status_code == 404
    case_message_add(by=None, case_id=case.pk, body="hola")
