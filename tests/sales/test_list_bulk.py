"""Bulk actions on the lead and opportunity lists: through lead_assign /
lead_status_change and opportunity_update / opportunity_move (the pages' and the API's
services), scoped to what the user sees, plus the export every list gets."""

import csv
import io

import pytest

from panorama.sales.models import Lead, Opportunity
from panorama.sales.services.lead import lead_create
from panorama.sales.services.opportunity import opportunity_create

from ..factories import CustomerFactory, TeamFactory, UserFactory, pipeline_with_stages

pytestmark = pytest.mark.django_db


def _bulk(client, list_name, **data):
    return client.post(f"/ui/lists/{list_name}/bulk/", data, headers={"HX-Request": "true"})


def test_leads_assign_and_qualify_all_matching_stay_in_the_reps_scope(client, rep, team):
    peer = UserFactory(username="peer", teams=[team])
    mine = [lead_create(by=None, company=f"Mine {i}", owner=rep, team=team) for i in range(2)]
    other_team = TeamFactory(name="Norte")
    hidden = lead_create(by=None, company="Hidden", team=other_team)
    client.force_login(rep)
    response = _bulk(client, "leads", action="owner", **{"value-owner": str(peer.pk)}, all="1")
    assert response.context["list"].bulk_job.done == 2
    assert set(Lead.objects.filter(owner=peer)) == set(mine)
    hidden.refresh_from_db()
    assert hidden.owner_id is None
    # Forged ids are not reached either.
    response = _bulk(
        client, "leads", action="status", **{"value-status": "qualified"}, ids=[hidden.pk]
    )
    hidden.refresh_from_db()
    assert hidden.status == "new"
    client.force_login(peer)
    response = _bulk(client, "leads", action="status", **{"value-status": "qualified"}, all="1")
    assert response.context["list"].bulk_job.done == 2
    assert set(Lead.objects.filter(status="qualified")) == set(mine)
    # Disqualifying needs a reason: not offered in bulk.
    refused = _bulk(client, "leads", action="status", **{"value-status": "disqualified"}, all="1")
    assert refused.context["list"].bulk_error


def test_leads_export_csv(client, rep, team):
    lead_create(by=None, company="=cmd|' /C calc'!A0", first_name="Eva", owner=rep, team=team)
    client.force_login(rep)
    job = _bulk(client, "leads", action="export_csv", all="1", query="cols=name,company,status")
    job = job.context["list"].bulk_job
    content = b"".join(client.get(f"/ui/lists/bulk-jobs/{job.pk}/file/").streaming_content)
    rows = list(csv.reader(io.StringIO(content.decode()[1:])))
    assert rows[0] == ["Name", "Company", "Status"]
    assert rows[1][1] == "'=cmd|' /C calc'!A0" and rows[1][2] == "New"


def test_opportunities_move_stage_refuses_what_the_pipeline_refuses(client, admin_user):
    pipeline = pipeline_with_stages()
    other = pipeline_with_stages("Renewals", is_default=False)
    customer = CustomerFactory()
    small = opportunity_create(by=admin_user, customer_id=customer.pk, name="Small", amount=0)
    big = opportunity_create(by=admin_user, customer_id=customer.pk, name="Big", amount=900)
    client.force_login(admin_user)
    propose = pipeline.stages.get(name="Propose")
    response = _bulk(
        client, "opportunities", action="stage", **{"value-stage": str(propose.pk)}, all="1"
    )
    report = response.context["list"].bulk_job  # undoable: a job, run at once
    # Propose needs an amount: the service says so for the one without.
    assert report.done == 1 and [row for row, _why in report.refused] == ["Small"]
    big.refresh_from_db()
    small.refresh_from_db()
    assert (big.stage_id, small.stage.name) == (propose.pk, "Qualify")
    foreign = other.stages.get(name="Qualify")
    response = _bulk(
        client, "opportunities", action="stage", **{"value-stage": str(foreign.pk)}, ids=[big.pk]
    )
    assert response.context["list"].bulk_job.refused
    assert Opportunity.objects.get(pk=big.pk).stage_id == propose.pk


def test_opportunities_assign_owner_in_scope_only(client, rep, team):
    pipeline_with_stages()
    peer = UserFactory(username="peer", teams=[team])
    ours = opportunity_create(
        by=None, customer_id=CustomerFactory(team=team).pk, name="Ours", owner=rep, team=team
    )
    theirs = opportunity_create(by=None, customer_id=CustomerFactory().pk, name="Theirs")
    client.force_login(rep)
    response = _bulk(
        client, "opportunities", action="owner", **{"value-owner": str(peer.pk)}, all="1"
    )
    assert response.context["list"].bulk_job.done == 1
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.owner_id == peer.pk and theirs.owner_id != peer.pk
