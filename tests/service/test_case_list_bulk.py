"""Bulk actions on the case list: assign and change status through case_assign and
case_set_status (the lifecycle refuses what it does not allow), scoped."""

import pytest

from panorama.accounts.models import Role
from panorama.service.models import Case
from panorama.service.services.case import case_open, case_set_status

from ..factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _bulk(client, **data):
    return client.post("/ui/lists/cases/bulk/", data, headers={"HX-Request": "true"})


def test_assign_and_resolve_cases_the_lifecycle_refusing_closed_ones(client, admin_user):
    agent = UserFactory(username="agent", role=Role.SERVICE_AGENT)
    customer = CustomerFactory()
    open_one = case_open(by=None, customer_id=customer.pk, subject="Router")
    closed = case_open(by=None, customer_id=customer.pk, subject="Old bill")
    case_set_status(by=None, case_id=closed.pk, status="closed")
    client.force_login(admin_user)
    response = _bulk(client, action="owner", **{"value-owner": str(agent.pk)}, all="1")
    assert response.context["list"].bulk_job.done == 2
    assert Case.objects.filter(owner=agent).count() == 2
    response = _bulk(client, action="status", **{"value-status": "resolved"}, all="1")
    report = response.context["list"].bulk_job  # undoable: a job, run at once
    assert report.done == 1 and [row for row, _why in report.refused] == [str(closed)]
    assert Case.objects.get(pk=open_one.pk).status == "resolved"
    assert Case.objects.get(pk=closed.pk).status == "closed"


def test_cases_export_is_offered_and_a_rep_sees_no_case_outside_his_scope(client, rep, team):
    mine = case_open(by=None, customer_id=CustomerFactory(owner=rep, team=team).pk, subject="Mine")
    case_open(by=None, customer_id=CustomerFactory().pk, subject="Theirs")
    client.force_login(rep)
    job = _bulk(client, action="export_csv", all="1", query="cols=reference,subject")
    job = job.context["list"].bulk_job
    content = b"".join(client.get(f"/ui/lists/bulk-jobs/{job.pk}/file/").streaming_content)
    lines = content.decode().lstrip("\ufeff").splitlines()
    assert lines == ["Reference,Subject", f"{mine.reference},Mine"]
