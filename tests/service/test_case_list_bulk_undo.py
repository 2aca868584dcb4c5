"""Undo of the case list's bulk actions: each case back to its status (or its agent and
status) through case_set_status / case_assign, whatever the lifecycle's usual steps; a
case changed since, or one the user may no longer change, is left as it is, named."""

import pytest

from panorama.accounts.models import Role
from panorama.service.models import Case
from panorama.service.services.case import case_assign, case_open, case_set_status

from ..factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _bulk(client, **data):
    response = client.post("/ui/lists/cases/bulk/", data, headers={"HX-Request": "true"})
    return response.context["list"].bulk_job


def _undo(client, job):
    response = client.post(f"/ui/lists/bulk-jobs/{job.pk}/undo/", headers={"HX-Request": "true"})
    return response.context["list"].bulk_job


def test_undo_a_bulk_resolve_reopens_as_it_was_but_the_case_closed_since(
    client, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    surveys = []
    monkeypatch.setattr(
        "panorama.service.services.csat.survey_send_safely", lambda case: surveys.append(case.pk)
    )
    customer = CustomerFactory()
    waiting = case_open(by=None, customer_id=customer.pk, subject="Router")
    case_set_status(by=None, case_id=waiting.pk, status="waiting")
    fresh = case_open(by=None, customer_id=customer.pk, subject="Bill")
    later = case_open(by=None, customer_id=customer.pk, subject="Line")
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        job = _bulk(client, action="status", **{"value-status": "resolved"}, all="1")
    assert job.done == 3 and len(surveys) == 3
    case_set_status(by=None, case_id=later.pk, status="closed")  # closed since
    with django_capture_on_commit_callbacks(execute=True):
        undo = _undo(client, job)
    assert undo.done == 2
    assert undo.refused == [[str(later), "Its status was changed since: left as it is."]]
    statuses = dict(Case.objects.values_list("pk", "status"))
    assert statuses == {waiting.pk: "waiting", fresh.pk: "new", later.pk: "closed"}
    # Back open: no longer resolved, and no second survey.
    assert Case.objects.get(pk=fresh.pk).resolved_at is None
    assert len(surveys) == 3


def test_undo_a_bulk_assignment_gives_back_the_queue_and_the_new_status(client, admin_user):
    agent = UserFactory(username="agent", role=Role.SERVICE_AGENT)
    other = UserFactory(username="other", role=Role.SERVICE_AGENT)
    customer = CustomerFactory()
    unassigned = case_open(by=None, customer_id=customer.pk, subject="Unassigned")
    theirs = case_open(by=None, customer_id=customer.pk, subject="Theirs")
    case_assign(by=None, case_id=theirs.pk, owner=other)
    taken = case_open(by=None, customer_id=customer.pk, subject="Taken since")
    client.force_login(admin_user)
    job = _bulk(client, action="owner", **{"value-owner": str(agent.pk)}, all="1")
    assert job.done == 3
    assert Case.objects.get(pk=unassigned.pk).status == "open"  # assigning opens it
    case_assign(by=None, case_id=taken.pk, owner=other)
    undo = _undo(client, job)
    assert undo.done == 2
    assert undo.refused == [[str(taken), "Reassigned or its status changed since: left as it is."]]
    rows = {
        pk: (owner, status)
        for pk, owner, status in Case.objects.values_list("pk", "owner_id", "status")
    }
    assert rows[unassigned.pk] == (None, "new")
    assert rows[theirs.pk] == (other.pk, "open")
    assert rows[taken.pk] == (other.pk, "open")


def test_an_agent_turned_analyst_is_refused_case_by_case(client):
    agent = UserFactory(username="agent", role=Role.SERVICE_AGENT)
    case = case_open(by=None, customer_id=CustomerFactory().pk, subject="Router")
    client.force_login(agent)
    job = _bulk(client, action="status", **{"value-status": "waiting"}, ids=[case.pk])
    assert job.done == 1
    agent.role = Role.ANALYST
    agent.save(update_fields=["role"])
    undo = _undo(client, job)
    assert (undo.done, undo.refused) == (
        0,
        [[str(case), "Your role can read cases but not change them."]],
    )
    assert Case.objects.get(pk=case.pk).status == "waiting"
