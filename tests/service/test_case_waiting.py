"""A case waiting on the customer comes back to open when he answers, whatever brings
the answer in (the e-mail threading: tests/channels/test_mail_cases.py; an agent
logging it through the API here), and its SLA clock runs again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.channels.models import Interaction
from panorama.service.models import Case, SlaPolicy
from panorama.service.services import sla
from panorama.service.services.case import case_open, case_set_status

from ..factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
ALWAYS = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture
def waiting_case():
    calendar = sla.calendar_save(by=None, name="24/7", hours=ALWAYS)
    sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Todo", calendar=calendar, first_response_minutes=60, resolution_minutes=6000
        ),
    )
    agent = UserFactory(username="eva", role=Role.SERVICE_AGENT)
    case = case_open(by=agent, customer_id=CustomerFactory().pk, subject="Sin línea", owner=agent)
    case_set_status(by=agent, case_id=case.pk, status="waiting")
    Case.objects.filter(pk=case.pk).update(sla_paused_at=timezone.now() - timedelta(days=3))
    return agent, case


def test_a_customer_message_logged_through_the_api_reopens_a_waiting_case(api_as, waiting_case):
    agent, case = waiting_case
    api = api_as(agent)
    # An agent's own reply or note does not: the case still waits on the customer.
    assert api.post(f"/cases/{case.pk}/messages", json={"body": "¿Su DNI?"}).status_code == 201
    assert api.get(f"/cases/{case.pk}").json()["status"] == "waiting"

    answer = api.post(
        f"/cases/{case.pk}/messages",
        json={"body": "Me llamó: su DNI es 12345678Z", "kind": "customer"},
    )
    assert answer.status_code == 201, answer.content
    assert api.get(f"/cases/{case.pk}").json()["status"] == "open"
    case.refresh_from_db()
    assert case.sla_paused_at is None and case.sla_paused_minutes >= 2 * 24 * 60
    assert [m.kind for m in case.messages.order_by("id")] == ["reply", "customer", "note"]
    assert Interaction.objects.filter(
        related_id=case.pk, subject=f"Case {case.reference}: Waiting on customer → Open"
    ).exists()
    # The case page shows it open with its clock running, no longer paused.
    api.client.force_login(agent)
    page = api.client.get(f"/service/cases/{case.pk}/").content.decode()
    assert 'id="case-status">Open<' in page
    assert 'data-sla-state="running"' in page and 'data-sla-state="paused"' not in page
