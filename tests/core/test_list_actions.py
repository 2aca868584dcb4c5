"""Bulk actions and inline edit of the shared list, on the customer list: every row goes
through customer_update (the edit form's service), so its rules and messages hold, a
refused row is reported without stopping the others, and nothing outside the user's
scope is touched."""

import pytest

from panorama.accounts.models import Role
from panorama.core.lists import actions, jobs
from panorama.customers.models import Customer
from tests.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

ASSIGN_REFUSED = "You can only assign customers to yourself or to a team you belong to or manage."


def _bulk(client, **data):
    return client.post("/ui/lists/customers/bulk/", data, headers={"HX-Request": "true"})


def test_assign_a_team_to_the_selected_rows_with_one_event_each(client, admin_user, emitted):
    north = TeamFactory(name="Norte")
    chosen = CustomerFactory.create_batch(3)
    untouched = CustomerFactory()
    client.force_login(admin_user)
    with emitted() as events:
        response = _bulk(
            client,
            action="team",
            **{"value-team": str(north.pk)},
            ids=[str(c.pk) for c in chosen],
            query="sort=-name",
        )
    assert response.status_code == 200
    # Undoable, so kept as a job (run here: three rows) whose report has an Undo button.
    job = response.context["list"].bulk_job
    assert (job.done, job.refused) == (3, [])
    assert "3 rows changed." in response.content.decode()
    assert set(Customer.objects.filter(team=north)) == set(chosen)
    untouched.refresh_from_db()
    assert untouched.team_id is None
    assert [name for name, _payload in events].count("customer.updated") == 3
    # The list comes back as it was asked for.
    assert response.context["list"].state.sort == "-name"


def test_all_matching_rows_follow_the_filters_and_the_scope(client, rep, team):
    mine = CustomerFactory.create_batch(2, owner=rep, status=Customer.Status.PROSPECT)
    active = CustomerFactory(owner=rep, status=Customer.Status.ACTIVE)
    elsewhere = CustomerFactory(status=Customer.Status.PROSPECT)  # not his to see
    client.force_login(rep)
    response = _bulk(
        client, action="status", **{"value-status": "active"}, all="1", query="status=prospect"
    )
    assert response.context["list"].bulk_job.done == 2
    assert Customer.objects.filter(pk__in=[c.pk for c in mine], status="active").count() == 2
    elsewhere.refresh_from_db()
    assert elsewhere.status == "prospect"
    active.refresh_from_db()
    assert active.status == "active"


def test_a_refused_row_is_reported_and_the_others_are_changed(client, rep, team):
    other = UserFactory(username="other", role=Role.SALES_REP)
    stays = CustomerFactory(first_name="Ana", last_name="Equipo", owner=rep, team=team)
    lost = CustomerFactory(first_name="Bea", last_name="Sola", owner=rep, team=None)
    client.force_login(rep)
    response = _bulk(
        client, action="owner", **{"value-owner": str(other.pk)}, ids=[stays.pk, lost.pk]
    )
    job = response.context["list"].bulk_job
    assert job.done == 1
    assert job.refused == [["Bea Sola", ASSIGN_REFUSED]]
    assert f"Bea Sola: {ASSIGN_REFUSED}" in response.content.decode()
    stays.refresh_from_db()
    lost.refresh_from_db()
    assert (stays.owner_id, lost.owner_id) == (other.pk, rep.pk)


def test_too_many_rows_or_a_bad_value_change_nothing_and_say_why(client, admin_user, monkeypatch):
    monkeypatch.setattr(actions, "BULK_MAX", 2)
    monkeypatch.setattr(actions, "BULK_INLINE", 1)
    CustomerFactory.create_batch(3, status=Customer.Status.PROSPECT)
    client.force_login(admin_user)
    response = _bulk(client, action="status", **{"value-status": "active"}, all="1", query="")
    assert "At most 2 rows at once: narrow the list with its filters." in (
        response.content.decode()
    )
    response = _bulk(client, action="team", **{"value-team": "999999"}, all="1", query="")
    assert "Select a valid choice." in response.content.decode()
    response = _bulk(client, action="status", **{"value-status": "active"}, query="")
    assert "Select at least one row." in response.content.decode()
    assert not Customer.objects.filter(status="active").exists()


def test_without_javascript_the_report_is_a_message_on_the_list(client, admin_user):
    customer = CustomerFactory(status=Customer.Status.PROSPECT)
    client.force_login(admin_user)
    response = client.post(
        "/ui/lists/customers/bulk/",
        {
            "action": "status",
            "value-status": "inactive",
            "ids": [customer.pk],
            "query": "kind=person",
        },
        follow=True,
    )
    assert response.redirect_chain == [("/customers/?kind=person", 302)]
    assert "1 row changed." in response.content.decode()


def test_a_cell_is_edited_in_place_through_the_service(client, admin_user, emitted):
    customer = CustomerFactory(status=Customer.Status.PROSPECT)
    client.force_login(admin_user)
    url = f"/ui/lists/customers/{customer.pk}/status/"
    editor = client.get(url + "?edit=1").content.decode()
    assert '<select name="value"' in editor and 'aria-label="Status"' in editor
    with emitted() as events:
        saved = client.post(url, {"value": "active"})
    assert saved.status_code == 200
    assert "pn-chip-success" in saved.content.decode()
    customer.refresh_from_db()
    assert customer.status == "active"
    assert events[0][0] == "customer.updated"
    cancelled = client.get(url).content.decode()
    assert "Active" in cancelled and "<select" not in cancelled


def test_a_refused_cell_shows_the_service_s_message_in_place(client, rep, team):
    other = UserFactory(username="other", role=Role.SALES_REP)
    customer = CustomerFactory(owner=rep, team=None)
    client.force_login(rep)
    refused = client.post(f"/ui/lists/customers/{customer.pk}/owner/", {"value": other.pk})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'role="alert"' in html and ASSIGN_REFUSED in html
    assert '<select name="value"' in html  # still editing, with the value tried
    customer.refresh_from_db()
    assert customer.owner_id == rep.pk
    bad = client.post(f"/ui/lists/customers/{customer.pk}/status/", {"value": "bogus"})
    assert bad.status_code == 422
    assert "Select a valid choice." in bad.content.decode()


def test_outside_the_scope_a_cell_does_not_exist(client, rep):
    hidden = CustomerFactory()
    client.force_login(rep)
    assert client.get(f"/ui/lists/customers/{hidden.pk}/status/?edit=1").status_code == 404
    assert client.post(f"/ui/lists/customers/{hidden.pk}/status/", {"value": "x"}).status_code == (
        404
    )
    assert client.get(f"/ui/lists/customers/{hidden.pk}/name/").status_code == 404  # no edit


def test_a_read_only_role_may_only_export_no_editor_and_a_403(client):
    analyst = UserFactory(username="analyst", role=Role.ANALYST)
    customer = CustomerFactory()
    client.force_login(analyst)
    page = client.get("/customers/")
    # Reading is exporting what one sees (audited): the bar offers nothing else.
    assert [a["key"] for a in page.context["list"].bulk.actions] == ["export_csv", "export_xlsx"]
    assert "data-pn-edit" not in page.content.decode()
    assert client.post(
        f"/ui/lists/customers/{customer.pk}/status/", {"value": "active"}
    ).status_code == (403)


def test_many_rows_run_in_the_background_with_progress_and_a_report(
    client, rep, team, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(actions, "BULK_INLINE", 2)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 2)
    other = UserFactory(username="other", role=Role.SALES_REP, teams=[team])
    mine = CustomerFactory.create_batch(4, owner=rep, team=team, status="prospect")
    alone = CustomerFactory(first_name="Bea", last_name="Sola", owner=rep, team=None)
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = _bulk(
            client, action="owner", **{"value-owner": str(other.pk)}, all="1", query=""
        )
    job = response.context["list"].bulk_job
    assert (job.status, job.total, job.done) == ("queued", 5, 0)
    page = response.content.decode()
    assert "0 of 5 rows, in the background" in page
    assert f'hx-get="/ui/lists/bulk-jobs/{job.pk}/"' in page  # the list polls it
    for callback in queued:  # the worker takes the job after the commit
        callback()
    job.refresh_from_db()
    assert (job.status, job.done, job.refused) == ("done", 4, [["Bea Sola", ASSIGN_REFUSED]])
    assert Customer.objects.filter(pk__in=[c.pk for c in mine], owner=other).count() == 4
    alone.refresh_from_db()
    assert alone.owner_id == rep.pk
    report = client.get(f"/ui/lists/bulk-jobs/{job.pk}/").content.decode()
    assert "4 rows changed." in report and f"Bea Sola: {ASSIGN_REFUSED}" in report
    assert "hx-trigger" not in report  # finished: no more polling
    client.force_login(other)
    assert client.get(f"/ui/lists/bulk-jobs/{job.pk}/").status_code == 404  # not his job


def test_a_job_whose_worker_died_goes_on_after_its_last_row(admin_user, monkeypatch):
    from panorama.core import jobs
    from panorama.core.lists.jobs import bulk_job_run
    from panorama.core.models import BulkJob
    from panorama.core.tasks import bulk_jobs_recover

    rows = CustomerFactory.create_batch(4, status="prospect")
    first, *rest = sorted(rows, key=lambda c: c.pk)
    # The dead worker had changed the first row when it died.
    Customer.objects.filter(pk=first.pk).update(status="inactive")
    job = BulkJob.objects.create(
        user=admin_user,
        list_name="customers",
        action="status",
        action_label="Change status",
        raw_value="inactive",
        query="status=prospect",
        everything=True,
        total=4,
        done=1,
        last_pk=first.pk,
        status=BulkJob.Status.RUNNING,
        process="gone-host:1/dead",
    )
    monkeypatch.setattr(jobs, "process_gone", lambda tag: tag == "gone-host:1/dead")
    assert bulk_jobs_recover() == 1
    bulk_job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.refused) == ("done", 4, [])
    assert set(Customer.objects.values_list("status", flat=True)) == {"inactive"}
