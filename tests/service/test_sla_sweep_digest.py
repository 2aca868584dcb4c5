"""The manager hears of a sweep's breaches once: one e-mail per manager per sweep over
every policy naming his address, listing the cases (the first ``MAIL_LINES``, then how
many more) with a link to the breached cases; and the sweep's statements do not grow
with the number of cases it escalates over two policies."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.service.models import Case, SlaPolicy
from panorama.service.services import escalation, sla
from panorama.service.services.escalation import sla_sweep

from ..factories import CustomerFactory, QueueFactory
from .test_escalation import MONDAY_9, setup  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_policies(setup):  # noqa: F811
    """A second queue with its own policy naming the same manager (written otherwise)."""
    case, policy, second, boss = setup
    billing = QueueFactory(name="Facturación")
    other = sla.policy_save(
        by=None,
        policy=SlaPolicy(
            name="Facturación",
            calendar=policy.calendar,
            queue=billing,
            first_response_minutes=60,
            resolution_minutes=480,
            warn_minutes=30,
            manager_email="Jefa@Example.com",
        ),
    )
    return case, policy, other


def _open(count: int, queue, prefix: str) -> None:
    for n in range(count):
        case = Case(
            customer=CustomerFactory(),
            subject=f"Avería {n}",
            channel="phone",
            queue=queue,
            status="open",
            priority="normal",
            reference=f"{prefix}{n:05}",
        )
        sla.sla_start(case, MONDAY_9)
        case.save()


def _sweep(now) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        done = sla_sweep(now)
    return done, [q["sql"] for q in queries.captured_queries]


def test_one_digest_per_manager_over_his_policies_with_a_link(
    two_policies, smtp, settings, monkeypatch
):
    case, policy, other = two_policies
    settings.PANORAMA_BASE_URL = "https://crm.example.com"
    monkeypatch.setattr(escalation, "MAIL_LINES", 3)
    _open(4, other.queue, "F-")
    done = sla_sweep(MONDAY_9 + timedelta(minutes=61))
    assert done == {"warned": 0, "escalated": 5}
    [(to, content)] = smtp.messages
    body = content.decode("utf-8", "replace")
    assert [address.lower() for address in to] == ["jefa@example.com"]
    assert "Nivel 1: 1 case(s)" in body and "Facturaci" in body
    # Three cases listed, then how many more, then where to see them all.
    listed = [line for line in body.splitlines() if "first response overdue" in line]
    assert len(listed) == 3
    assert "and 2 more" in body
    assert "https://crm.example.com/service/cases/?sla=breached" in body


def test_the_sweep_queries_do_not_grow_with_the_escalated_cases(two_policies, smtp):
    case, policy, other = two_policies
    _open(1, other.queue, "F-")
    done, one = _sweep(MONDAY_9 + timedelta(minutes=61))
    assert done == {"warned": 0, "escalated": 2}
    _open(30, policy.queue, "N-")
    _open(30, other.queue, "G-")
    done, sixty = _sweep(MONDAY_9 + timedelta(minutes=62))
    assert done == {"warned": 0, "escalated": 60}
    assert len(sixty) == len(one)
    assert len(smtp.messages) == 2  # one digest per sweep
