"""Undo of the lead and opportunity lists' bulk actions: each row back to what it was,
through the same services (lead_assign, lead_status_change, opportunity_update,
opportunity_move) and their permission checks; a row changed since, or one its user may
no longer change, is left as it is and named with the reason."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.accounts.models import Role
from panorama.sales.models import Lead, Opportunity
from panorama.sales.services.lead import lead_assign, lead_create, lead_status_change
from panorama.sales.services.opportunity import opportunity_create, opportunity_move

from ..factories import (
    CustomerFactory,
    LostReasonFactory,
    TeamFactory,
    UserFactory,
    pipeline_with_stages,
)

pytestmark = pytest.mark.django_db


def _bulk(client, list_name, **data):
    response = client.post(f"/ui/lists/{list_name}/bulk/", data, headers={"HX-Request": "true"})
    return response.context["list"].bulk_job


def _undo(client, job):
    response = client.post(f"/ui/lists/bulk-jobs/{job.pk}/undo/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response


def test_undo_a_lead_reassignment_skips_the_lead_reassigned_since(client, rep, team):
    peer = UserFactory(username="peer", teams=[team])
    third = UserFactory(username="third", teams=[team])
    leads = [lead_create(by=None, company=f"Acme {i}", owner=rep, team=team) for i in range(3)]
    client.force_login(rep)
    job = _bulk(client, "leads", action="owner", **{"value-owner": str(peer.pk)}, all="1")
    assert (job.done, job.refused) == (3, [])
    assert set(Lead.objects.filter(owner=peer)) == set(leads)
    lead_assign(by=None, lead_id=leads[1].pk, owner_id=third.pk, team_id=team.pk)
    response = _undo(client, job)
    undo = response.context["list"].bulk_job
    assert undo.undo_of == job and undo.done == 2
    assert undo.refused == [[str(leads[1]), "Reassigned since: left as it is."]]
    page = response.content.decode()
    assert "2 rows changed." in page and "Reassigned since: left as it is." in page
    owners = dict(Lead.objects.values_list("pk", "owner_id"))
    assert owners == {leads[0].pk: rep.pk, leads[1].pk: third.pk, leads[2].pk: rep.pk}


def test_undo_a_lead_status_change_puts_back_new_and_disqualified_with_its_reason(
    client, admin_user
):
    fresh = lead_create(by=None, company="Fresh")
    dropped = lead_create(by=None, company="Dropped")
    lead_status_change(by=None, lead_id=dropped.pk, status="disqualified", reason="No budget")
    moved = lead_create(by=None, company="Moved")
    client.force_login(admin_user)
    job = _bulk(client, "leads", action="status", **{"value-status": "working"}, all="1")
    assert job.done == 3
    lead_status_change(by=None, lead_id=moved.pk, status="qualified")  # worked on since
    undo = _undo(client, job).context["list"].bulk_job
    assert undo.done == 2
    assert undo.refused == [[str(moved), "Its status was changed since: left as it is."]]
    # "Working → new" is no step of the lifecycle, but it is what the lead was.
    fresh.refresh_from_db()
    dropped.refresh_from_db()
    moved.refresh_from_db()
    assert fresh.status == "new"
    assert (dropped.status, dropped.disqualify_reason) == ("disqualified", "No budget")
    assert moved.status == "qualified"


def test_a_rep_cannot_undo_what_he_may_no_longer_change(client, rep, team):
    peer = UserFactory(username="peer", teams=[team])
    kept = lead_create(by=None, company="Kept", owner=rep, team=team)
    moved = lead_create(by=None, company="Moved away", owner=rep, team=team)
    client.force_login(rep)
    job = _bulk(client, "leads", action="owner", **{"value-owner": str(peer.pk)}, all="1")
    assert job.done == 2
    # A manager gives one lead to another team: out of the rep's sight.
    lead_assign(by=None, lead_id=moved.pk, owner_id=None, team_id=TeamFactory(name="Norte").pk)
    undo = _undo(client, job).context["list"].bulk_job
    assert undo.done == 1
    assert undo.refused == [[str(moved), "You can no longer see or change it: left as it is."]]
    assert Lead.objects.get(pk=kept.pk).owner_id == rep.pk
    assert Lead.objects.get(pk=moved.pk).owner_id is None
    # Then he becomes an analyst: he still sees the lead, but changes none.
    job = _bulk(client, "leads", action="owner", **{"value-owner": str(peer.pk)}, ids=[kept.pk])
    rep.role = Role.ANALYST
    rep.save(update_fields=["role"])
    response = _undo(client, job)
    undo = response.context["list"].bulk_job
    assert (undo.done, undo.refused) == (
        0,
        [[str(kept), "Your role can read sales records but not change them."]],
    )
    assert "Your role can read sales records but not change them." in response.content.decode()
    assert Lead.objects.get(pk=kept.pk).owner_id == peer.pk


def test_undo_an_opportunity_stage_move_back_to_lost_with_its_reason(client, admin_user):
    pipeline = pipeline_with_stages()
    customer = CustomerFactory()
    price = LostReasonFactory(name="Price")
    lost = opportunity_create(by=None, customer_id=customer.pk, name="Lost one", amount=100)
    opportunity_move(
        by=None,
        opportunity_id=lost.pk,
        stage_id=pipeline.stages.get(name="Lost").pk,
        lost_reason_id=price.pk,
        lost_note="Too dear",
    )
    early = opportunity_create(by=None, customer_id=customer.pk, name="Early", amount=50)
    touched = opportunity_create(by=None, customer_id=customer.pk, name="Touched", amount=70)
    propose = pipeline.stages.get(name="Propose")
    client.force_login(admin_user)
    job = _bulk(
        client, "opportunities", action="stage", **{"value-stage": str(propose.pk)}, all="1"
    )
    assert job.done == 3
    assert Opportunity.objects.get(pk=lost.pk).status == "open"
    opportunity_move(
        by=None, opportunity_id=touched.pk, stage_id=pipeline.stages.get(name="Won").pk
    )
    undo = _undo(client, job).context["list"].bulk_job
    assert undo.done == 2
    assert undo.refused == [["Touched", "Moved or changed since: left as it is."]]
    lost.refresh_from_db()
    early.refresh_from_db()
    touched.refresh_from_db()
    assert (lost.stage.name, lost.status, lost.lost_reason_id, lost.lost_note) == (
        "Lost",
        "lost",
        price.pk,
        "Too dear",
    )
    assert (early.stage.name, touched.stage.name) == ("Qualify", "Won")


def test_undo_an_opportunity_owner_change_once_only(client, rep, team):
    pipeline_with_stages()
    peer = UserFactory(username="peer", teams=[team])
    ours = opportunity_create(
        by=None, customer_id=CustomerFactory(team=team).pk, name="Ours", owner=rep, team=team
    )
    client.force_login(rep)
    job = _bulk(client, "opportunities", action="owner", **{"value-owner": str(peer.pk)}, all="1")
    assert Opportunity.objects.get(pk=ours.pk).owner_id == peer.pk
    assert (
        f'hx-post="/ui/lists/bulk-jobs/{job.pk}/undo/"'
        in client.get(f"/ui/lists/bulk-jobs/{job.pk}/").content.decode()
    )
    undo = _undo(client, job).context["list"].bulk_job
    assert (undo.done, undo.refused) == (1, [])
    assert Opportunity.objects.get(pk=ours.pk).owner_id == rep.pk
    again = _undo(client, job)
    assert "This action was already undone." in again.content.decode()


def _queries(client, list_name, **data) -> tuple[int, int, int]:
    """(queries of the action, queries of its undo, rows undone)."""
    with CaptureQueriesContext(connection) as run:
        job = _bulk(client, list_name, **data)
    with CaptureQueriesContext(connection) as undo:
        undone = _undo(client, job).context["list"].bulk_job
    return len(run), len(undo), undone.done


def test_the_queries_of_a_bulk_action_and_its_undo_grow_by_a_fixed_few_per_row(client, rep, team):
    """Each row is one service call (its own checks, history and event); keeping and
    checking the values for the undo adds no query per row."""
    peer = UserFactory(username="peer", teams=[team])
    client.force_login(rep)
    for i in range(2):
        lead_create(by=None, company=f"Small {i}", owner=rep, team=team)
    few = _queries(client, "leads", action="owner", **{"value-owner": str(peer.pk)}, all="1")
    for i in range(4):
        lead_create(by=None, company=f"More {i}", owner=rep, team=team)
    many = _queries(client, "leads", action="owner", **{"value-owner": str(peer.pk)}, all="1")
    assert (few[2], many[2]) == (2, 6)
    per_row_run = (many[0] - few[0]) / 4
    per_row_undo = (many[1] - few[1]) / 4
    # The undo is the same service call, no more; the values kept cost one query a chunk.
    assert per_row_undo <= per_row_run <= 12
