"""The event catalogue is a contract: emit refuses what it does not describe, every
declared event is emitted somewhere, and docs/events.md is the catalogue itself."""

import re
from pathlib import Path

import pytest

from panorama.core import events
from panorama.core.events import EventError, catalogue, catalogue_markdown, emit, emit_many

ROOT = Path(__file__).resolve().parents[2]


def test_docs_events_md_is_the_catalogue():
    # If this fails: panorama events > docs/events.md
    assert (ROOT / "docs" / "events.md").read_text(encoding="utf-8") == catalogue_markdown()


def test_every_declared_event_is_emitted_by_some_code():
    source = "\n".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "src" / "panorama").rglob("*.py")
    )
    never = [name for name in catalogue if source.count(f'"{name}"') < 2]  # declared + emitted
    assert never == []


def test_every_event_the_code_emits_is_in_the_catalogue():
    """Also for the emits no test happens to run: a name typed in a service is checked."""
    emitted: set[str] = set()
    for path in (ROOT / "src" / "panorama").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'emit\(\s*"([^"]+)"(?:\s+if\s+\w+\s+else\s+"([^"]+)")?', text):
            emitted |= {name for name in match.groups() if name}
    assert emitted and sorted(emitted - set(catalogue)) == []


@pytest.mark.django_db
def test_emit_refuses_an_event_not_in_the_catalogue():
    with pytest.raises(EventError, match="no event"):
        emit("customer.teleported", customer_id=1, by=None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        {"customer_id": 1},  # by missing
        {"customer_id": 1, "by": None, "extra": 2},  # a field the schema does not have
        {"customer_id": "1", "by": None},  # a string where an id goes
        {"customer_id": object(), "by": None},  # an instance instead of its id
    ],
)
def test_emit_refuses_a_payload_that_does_not_match_its_schema(payload):
    with pytest.raises(EventError, match="customer.created"):
        emit("customer.created", **payload)


def test_subscribing_to_an_unknown_event_is_refused():
    with pytest.raises(EventError):
        events.subscribe("customer.teleported", lambda name, payload: None)


@pytest.mark.django_db
def test_subscribers_run_after_commit_and_one_failing_does_not_stop_the_others(
    django_capture_on_commit_callbacks,
):
    seen = []

    def broken(name, payload):
        raise RuntimeError("boom")

    def good(name, payload):
        seen.append((name, payload))

    events.subscribe("customer.created", broken)
    events.subscribe("customer.created", good)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            emit("customer.created", customer_id=7, by=None)
            assert seen == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        events.unsubscribe("customer.created", broken)
        events.unsubscribe("customer.created", good)
    assert seen == [("customer.created", {"customer_id": 7, "by": None})]


def test_every_batch_events_elements_are_the_single_event_it_stands_for():
    """A rule or subscriber on ``case.escalated`` gets, from ``sla.cases_escalated``,
    payloads that are exactly ``case.escalated``'s (checked against its schema)."""
    assert events.batches  # the SLA sweep's two
    examples = {
        "sla.cases_escalated": {
            "policy_id": 3,
            "escalations": [
                {
                    "case_id": 7,
                    "target": "resolution",
                    "queue_id": 2,
                    "owner_id": None,
                    "priority": "high",
                },
            ],
        },
        "sla.cases_warned": {
            "policy_id": 3,
            "warnings": [{"case_id": 7, "target": "first_response", "due": "2026-12-01T09:00"}],
        },
        "automation.alerts_raised": {
            "rule_id": None,
            "alerts": [
                {"alert_id": 5, "customer_id": 7, "user_id": 2, "team_id": None, "priority": 3}
            ],
        },
    }
    for name, (member, _items) in events.batches.items():
        events.payload_check(name, examples[name])
        [(single, payload)] = events.batch_members(name, examples[name])
        assert single == member
        events.payload_check(single, payload)
    assert events.batch_members("customer.created", {"customer_id": 1, "by": None}) == [
        ("customer.created", {"customer_id": 1, "by": None})
    ]


def _escalation(case_id) -> dict:
    return {
        "case_id": case_id,
        "target": "resolution",
        "queue_id": 2,
        "owner_id": None if case_id % 2 else 4,
        "priority": "high",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "odd_one",
    [
        {**_escalation(1), "case_id": "501"},  # a string where an id goes
        {**_escalation(1), "case_id": True},  # a bool is not an id
        {**_escalation(1), "extra": 1},  # a field the schema does not have
        {k: v for k, v in _escalation(1).items() if k != "priority"},  # one missing
        {**_escalation(1), "queue_id": 2.0},  # a float
        [1, 2],  # not an object
    ],
)
def test_a_batch_of_uniform_elements_still_refuses_the_one_that_differs(odd_one):
    """The elements of a set-based change are validated one per shape (the SLA sweep's
    escalations), not each: one element unlike the others, deep in the second batch, is
    refused as if each were checked."""
    good = [_escalation(n) for n in range(1, 1001)]
    batches = [
        {"policy_id": 3, "escalations": good},
        {"policy_id": 3, "escalations": [*good[:500], odd_one, *good[500:]]},
    ]
    emit_many("sla.cases_escalated", batches[:1])  # the uniform one passes
    with pytest.raises(EventError, match="sla.cases_escalated"):
        emit_many("sla.cases_escalated", batches)


@pytest.mark.django_db
def test_many_payloads_of_one_shape_still_refuse_the_one_that_differs():
    payloads = [{"customer_id": n, "by": None} for n in range(1, 300)]
    emit_many("customer.created", payloads)
    with pytest.raises(EventError, match="customer.created"):
        emit_many("customer.created", [*payloads, {"customer_id": 300, "by": "admin"}])
