"""A priority change recomputes an open case's SLA targets: from its opening, in the
business hours of the policy for the new priority, the paused minutes kept, the warning
cleared when a target moves later; shown on the case page, its thread and the API. A
new queue, product or asset does the same when it gives the case another policy."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.service.models import Case, CaseMessage, SlaPolicy
from panorama.service.services import sla
from panorama.service.services.asset import asset_register, contract_create
from panorama.service.services.case import case_open
from panorama.service.services.case_edit import case_update
from tests.catalog.factories import ProductFactory

from ..factories import CustomerFactory, QueueFactory, UserFactory

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


@pytest.fixture
def agent():
    return UserFactory(username="eva", role=Role.SERVICE_AGENT)


@pytest.fixture
def policies():
    calendar = sla.calendar_save(by=None, name="Madrid", subdivision="MD")  # 9-18 Mon-Fri
    for name, priority, first, resolution in [
        ("Normal", "normal", 240, 2400),
        ("Urgente", "urgent", 30, 240),
        ("Baja", "low", 480, 4800),
    ]:
        sla.policy_save(
            by=None,
            policy=SlaPolicy(
                name=name,
                calendar=calendar,
                priority=priority,
                first_response_minutes=first,
                resolution_minutes=resolution,
            ),
        )


def _opened_tuesday(agent, **extra) -> Case:
    """A normal case opened on Tuesday 1 December 2026 at 10:00 (Madrid)."""
    case = case_open(by=agent, customer_id=CustomerFactory().pk, subject="Sin línea")
    opened = at(2026, 12, 1, 10)
    hours = sla.hours_of(case.sla_policy.calendar)
    Case.objects.filter(pk=case.pk).update(
        created_at=opened,
        first_response_due=sla.add_business_minutes(hours, opened, 240),
        resolution_due=sla.add_business_minutes(hours, opened, 2400),
        **extra,
    )
    return Case.objects.get(pk=case.pk)


def test_a_case_raised_to_urgent_gets_the_tighter_due_times(agent, policies, client, api_as):
    case = _opened_tuesday(agent, sla_paused_minutes=60)
    # 40 business hours: Tue to Fri (8 + 9 + 9 + 9), not 7 and 8 Dec (Madrid), Wed 9 + 5.
    assert case.resolution_due == at(2026, 12, 9, 14)
    case_update(by=agent, case_id=case.pk, changes={"priority": "urgent"})
    case.refresh_from_db()
    assert case.sla_policy.name == "Urgente"
    # 30 and 240 business minutes from Tuesday 10:00, plus the hour it was paused.
    assert case.first_response_due == at(2026, 12, 1, 11, 30)
    assert case.resolution_due == at(2026, 12, 1, 15)
    note = CaseMessage.objects.filter(case=case, kind="note").last()
    assert "Resolution due:" in note.body and "Urgente" not in note.body
    client.force_login(agent)
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert "Service level · Urgente" in page
    shown = api_as(agent).get(f"/cases/{case.pk}").json()
    assert shown["resolution_due"].startswith("2026-12-01T14:00:00")  # UTC
    assert shown["first_response_due"].startswith("2026-12-01T10:30:00")


def test_the_api_raises_a_case_to_urgent_and_answers_the_new_due_time(agent, policies, api_as):
    case = _opened_tuesday(agent)
    answer = api_as(agent).patch(f"/cases/{case.pk}", json={"priority": "urgent"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["resolution_due"].startswith("2026-12-01T13:00:00")  # 14:00 Madrid


def test_a_later_target_clears_the_warning_and_a_met_first_response_keeps_its_due(agent, policies):
    case = _opened_tuesday(
        agent, sla_warned_at=at(2026, 12, 1, 12), first_response_at=at(2026, 12, 1, 11)
    )
    first_due = case.first_response_due
    case_update(by=agent, case_id=case.pk, changes={"priority": "low"})
    case.refresh_from_db()
    assert case.first_response_due == first_due  # met: left as it was
    assert case.resolution_due > at(2026, 12, 9, 14)
    assert case.sla_warned_at is None
    # Tighter again: the warning mark (already clear) is not set by the change itself.
    case_update(by=agent, case_id=case.pk, changes={"priority": "urgent"})
    case.refresh_from_db()
    assert case.resolution_due == at(2026, 12, 1, 14)


def test_a_priority_no_policy_matches_and_a_closed_case_keep_their_targets(agent, policies):
    case = _opened_tuesday(agent)
    due = case.resolution_due
    case_update(by=agent, case_id=case.pk, changes={"priority": "high"})  # no "high" policy
    case.refresh_from_db()
    assert (case.sla_policy.name, case.resolution_due) == ("Normal", due)
    Case.objects.filter(pk=case.pk).update(status="closed")
    case_update(by=agent, case_id=case.pk, changes={"priority": "urgent"})
    case.refresh_from_db()
    assert (case.sla_policy.name, case.resolution_due) == ("Normal", due)


@pytest.fixture
def business_queue(policies):
    """A queue whose normal cases have their own, tighter policy."""
    queue = QueueFactory(name="Empresas")
    sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Empresas normal",
            calendar=SlaPolicy.objects.get(name="Normal").calendar,
            queue=queue,
            priority="normal",
            first_response_minutes=60,
            resolution_minutes=480,
        ),
    )
    return queue


def test_a_new_queue_with_its_own_policy_recounts_the_due_times_from_the_page(
    agent, business_queue, client, api_as
):
    case = _opened_tuesday(agent)
    client.force_login(agent)
    answer = client.post(
        reverse("service:case_edit", args=[case.pk]),
        {"type": case.type, "priority": "normal", "queue": business_queue.pk},
    )
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.sla_policy.name == "Empresas normal"
    # 60 and 480 business minutes from Tuesday 10:00.
    assert case.first_response_due == at(2026, 12, 1, 11)
    assert case.resolution_due == at(2026, 12, 1, 18)
    note = CaseMessage.objects.filter(case=case, kind="note").last()
    assert "Queue: — → Empresas" in note.body and "Resolution due:" in note.body
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert "Service level · Empresas normal" in page

    # Back to no queue through the API: the priority's policy again, counted the same way.
    answer = api_as(agent).patch(f"/cases/{case.pk}", json={"queue_id": None})
    assert answer.status_code == 200, answer.content
    assert answer.json()["resolution_due"].startswith("2026-12-09T13:00:00")  # 14:00 Madrid


def test_a_new_queue_or_type_that_keeps_the_policy_keeps_the_due_times(agent, business_queue):
    # Due times set by hand (an hour earlier than the policy gives): a change that
    # leaves the policy as it was does not recount them.
    case = _opened_tuesday(agent)
    due = case.resolution_due - timedelta(hours=1)
    Case.objects.filter(pk=case.pk).update(resolution_due=due)
    case_update(
        by=agent, case_id=case.pk, changes={"queue_id": QueueFactory().pk, "type": "incident"}
    )
    case.refresh_from_db()
    assert (case.sla_policy.name, case.resolution_due) == ("Normal", due)
    note = CaseMessage.objects.filter(case=case, kind="note").last()
    assert "due" not in note.body


def test_an_asset_under_contract_gives_the_contracts_policy_and_its_due_times(
    agent, policies, api_as
):
    case = _opened_tuesday(agent)
    router = ProductFactory(name="Router X")
    asset = asset_register(
        by=None, customer_id=case.customer_id, product_id=router.pk, serial_number="RX-1"
    )
    contract_create(
        by=None,
        customer_id=case.customer_id,
        name="Oro",
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        asset_ids=[asset.pk],
        sla_policy_id=SlaPolicy.objects.get(name="Urgente").pk,
    )
    answer = api_as(agent).patch(f"/cases/{case.pk}", json={"asset_id": asset.pk})
    assert answer.status_code == 200, answer.content
    shown = answer.json()
    assert shown["priority"] == "normal" and shown["sla_policy_id"] == (
        SlaPolicy.objects.get(name="Urgente").pk
    )
    assert shown["resolution_due"].startswith("2026-12-01T13:00:00")  # 14:00 Madrid
