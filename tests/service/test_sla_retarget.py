"""A priority change recomputes an open case's SLA targets: from its opening, in the
business hours of the policy for the new priority, the paused minutes kept, the warning
cleared when a target moves later; shown on the case page, its thread and the API."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from panorama.accounts.models import Role
from panorama.service.models import Case, CaseMessage, SlaPolicy
from panorama.service.services import sla
from panorama.service.services.case import case_open
from panorama.service.services.case_edit import case_update

from ..factories import CustomerFactory, UserFactory

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
