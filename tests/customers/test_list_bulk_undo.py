"""Undo of the customer list's bulk actions (account manager, team, status): each
customer back to what it had, through customer_update (its permission checks and
validation); a customer changed since, or one its user may no longer change, is left as it
is and named with the reason; an undo runs once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.accounts.models import Role
from panorama.customers.models import Customer
from panorama.customers.services.customer import customer_update
from tests.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

ASSIGN_REFUSED = "You can only assign customers to yourself or to a team you belong to or manage."


def _bulk(client, **data):
    response = client.post("/ui/lists/customers/bulk/", data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response


def _undo(client, job):
    response = client.post(f"/ui/lists/bulk-jobs/{job.pk}/undo/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response


def test_undo_an_account_manager_change_skips_the_customer_reassigned_since(client, rep, team):
    peer = UserFactory(username="peer", role=Role.SALES_REP, teams=[team])
    third = UserFactory(username="third", role=Role.SALES_REP, teams=[team])
    ana = CustomerFactory(first_name="Ana", last_name="Sola", owner=rep, team=team)
    blas = CustomerFactory(first_name="Blas", last_name="Roca", owner=None, team=team)
    teo = CustomerFactory(first_name="Teo", last_name="Tocado", owner=rep, team=team)
    client.force_login(rep)
    response = _bulk(
        client, action="owner", **{"value-owner": str(peer.pk)}, ids=[ana.pk, blas.pk, teo.pk]
    )
    job = response.context["list"].bulk_job
    assert (job.done, job.refused) == (3, [])
    page = response.content.decode()
    assert "3 rows changed." in page
    assert f'hx-post="/ui/lists/bulk-jobs/{job.pk}/undo/"' in page  # the Undo button
    assert set(Customer.objects.filter(owner=peer)) == {ana, blas, teo}
    # Someone gives Teo to a third rep meanwhile: the undo leaves him with that rep.
    customer_update(customer=teo, by=None, changes={"owner_id": third.pk})
    response = _undo(client, job)
    undo = response.context["list"].bulk_job
    assert undo.undo_of == job and undo.done == 2
    reason = "Its account manager was changed since: left as it is."
    assert undo.refused == [["Teo Tocado", reason]]
    page = response.content.decode()
    assert "Undo: Assign account manager" in page and "2 rows changed." in page
    assert f"Teo Tocado: {reason}" in page
    assert f'hx-post="/ui/lists/bulk-jobs/{undo.pk}/undo/"' not in page  # no undo of an undo
    owners = dict(Customer.objects.values_list("pk", "owner_id"))
    assert owners == {ana.pk: rep.pk, blas.pk: None, teo.pk: third.pk}


def test_undo_a_team_change_once_only(client, admin_user):
    north, south = TeamFactory(name="Norte"), TeamFactory(name="Sur")
    filed = CustomerFactory(first_name="Ana", last_name="Sola", team=north)
    loose = CustomerFactory(first_name="Blas", last_name="Roca", team=None)
    moved = CustomerFactory(first_name="Teo", last_name="Tocado", team=north)
    client.force_login(admin_user)
    job = (
        _bulk(client, action="team", **{"value-team": str(south.pk)}, all="1")
        .context["list"]
        .bulk_job
    )
    assert job.done == 3 and Customer.objects.filter(team=south).count() == 3
    Customer.objects.filter(pk=moved.pk).update(team=None)  # changed since, by anyone
    undo = _undo(client, job).context["list"].bulk_job
    assert undo.done == 2
    assert undo.refused == [["Teo Tocado", "Its team was changed since: left as it is."]]
    teams = dict(Customer.objects.values_list("pk", "team_id"))
    assert teams == {filed.pk: north.pk, loose.pk: None, moved.pk: None}
    # Once only: the second undo changes nothing and says why.
    again = _undo(client, job)
    assert "This action was already undone." in again.content.decode()
    assert again.context["list"].bulk_job is None
    assert dict(Customer.objects.values_list("pk", "team_id")) == teams


def test_undo_a_status_change_puts_back_each_status(client, rep, team):
    prospect = CustomerFactory(owner=rep, team=team, status="prospect")
    inactive = CustomerFactory(owner=rep, team=team, status="inactive")
    already = CustomerFactory(first_name="Ines", last_name="Activa", owner=rep, team=team)
    touched = CustomerFactory(first_name="Teo", last_name="Tocado", owner=rep, team=team)
    Customer.objects.filter(pk=touched.pk).update(status="prospect")
    client.force_login(rep)
    job = (
        _bulk(client, action="status", **{"value-status": "active"}, all="1")
        .context["list"]
        .bulk_job
    )
    assert job.done == 4
    # Already active: nothing to put back for it, only the three it changed.
    assert set(job.undo_data) == {str(prospect.pk), str(inactive.pk), str(touched.pk)}
    customer_update(customer=touched, by=rep, changes={"status": "inactive"})
    undo = _undo(client, job).context["list"].bulk_job
    assert undo.done == 2
    assert undo.refused == [["Teo Tocado", "Its status was changed since: left as it is."]]
    statuses = dict(Customer.objects.values_list("pk", "status"))
    assert statuses == {
        prospect.pk: "prospect",
        inactive.pk: "inactive",
        already.pk: "active",
        touched.pk: "inactive",
    }


def test_an_undo_is_refused_to_whom_may_no_longer_change_the_customers(client, rep, team):
    peer = UserFactory(username="peer", role=Role.SALES_REP, teams=[team])
    kept = CustomerFactory(first_name="Ana", last_name="Sola", owner=rep, team=team)
    client.force_login(rep)
    job = (
        _bulk(client, action="status", **{"value-status": "inactive"}, ids=[kept.pk])
        .context["list"]
        .bulk_job
    )
    # Another user cannot undo his action: it is not theirs (404, nothing changed).
    client.force_login(peer)
    assert client.post(f"/ui/lists/bulk-jobs/{job.pk}/undo/").status_code == 404
    assert Customer.objects.get(pk=kept.pk).status == "inactive"
    # He becomes an analyst: he still sees the customer but may change nothing.
    rep.role = Role.ANALYST
    rep.save(update_fields=["role"])
    client.force_login(rep)
    response = _undo(client, job)
    undo = response.context["list"].bulk_job
    refused = "Your role can read customers but not change them."
    assert (undo.done, undo.refused) == (0, [["Ana Sola", refused]])
    assert f"Ana Sola: {refused}" in response.content.decode()
    assert Customer.objects.get(pk=kept.pk).status == "inactive"


def test_the_service_refuses_to_put_a_customer_back_where_its_user_may_not_file_it(
    client, rep, team
):
    """A rep moved out of a team cannot file a customer back under it by undoing: the
    service's assignment rule holds for the undo as for the action."""
    north = TeamFactory(name="Norte")
    rep.teams.add(north)
    ana = CustomerFactory(first_name="Ana", last_name="Sola", owner=rep, team=north)
    client.force_login(rep)
    job = (
        _bulk(client, action="team", **{"value-team": str(team.pk)}, ids=[ana.pk])
        .context["list"]
        .bulk_job
    )
    assert Customer.objects.get(pk=ana.pk).team_id == team.pk
    rep.teams.remove(north)
    undo = _undo(client, job).context["list"].bulk_job
    assert (undo.done, undo.refused) == (0, [["Ana Sola", ASSIGN_REFUSED]])
    assert Customer.objects.get(pk=ana.pk).team_id == team.pk


def test_without_javascript_the_undo_s_report_is_a_message(client, admin_user):
    ana = CustomerFactory(first_name="Ana", last_name="Sola", status="prospect")
    client.force_login(admin_user)
    job = (
        _bulk(client, action="status", **{"value-status": "active"}, ids=[ana.pk])
        .context["list"]
        .bulk_job
    )
    response = client.post(f"/ui/lists/bulk-jobs/{job.pk}/undo/", follow=True)
    assert response.redirect_chain == [("/customers/", 302)]
    assert "Undo: Change status: 1 row changed." in response.content.decode()
    assert Customer.objects.get(pk=ana.pk).status == "prospect"


def _queries(client, **data) -> tuple[int, int, int]:
    """(queries of the action, queries of its undo, rows undone)."""
    with CaptureQueriesContext(connection) as run:
        job = _bulk(client, **data).context["list"].bulk_job
    with CaptureQueriesContext(connection) as undo:
        undone = _undo(client, job).context["list"].bulk_job
    return len(run), len(undo), undone.done


def test_the_queries_of_an_assignment_and_its_undo_grow_by_a_fixed_few_per_row(client, rep, team):
    """Each customer is one customer_update (its checks, history and event); keeping and
    checking the values for the undo adds no query per row."""
    peer = UserFactory(username="peer", role=Role.SALES_REP, teams=[team])
    client.force_login(rep)
    CustomerFactory.create_batch(2, owner=rep, team=team)
    data = {"action": "owner", "value-owner": str(peer.pk), "all": "1"}
    few = _queries(client, **data)
    CustomerFactory.create_batch(4, owner=rep, team=team)
    many = _queries(client, **data)
    assert (few[2], many[2]) == (2, 6)
    per_row_run = (many[0] - few[0]) / 4
    per_row_undo = (many[1] - few[1]) / 4
    assert per_row_undo <= per_row_run <= 12
