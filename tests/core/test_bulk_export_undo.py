"""The bulk actions every list gets from core/lists: export (CSV and XLSX of the shown
columns, a file only its requester downloads, for 24 hours), the undoable deactivation of
customers, and marketing's "add to list" on the customer list. Each runs through the
list's own scoped rows: a rep never reaches a record he cannot see, not even with
"select all matching"."""

import csv
import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.core.lists import actions, jobs
from panorama.core.models import AuditEvent, BulkJob
from panorama.customers.models import Customer
from panorama.marketing.models import ListMembership, StaticList
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db


def _bulk(client, list_name="customers", **data):
    return client.post(f"/ui/lists/{list_name}/bulk/", data, headers={"HX-Request": "true"})


def _download(client, job) -> bytes:
    response = client.get(f"/ui/lists/bulk-jobs/{job.pk}/file/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def test_export_csv_of_the_selected_rows_has_the_shown_columns_and_no_formula(client, rep, team):
    evil = CustomerFactory(first_name="=HYPERLINK(1)", last_name="X", owner=rep, team=team)
    IdentityFactory(customer=evil, kind="email", value="eva@example.es")
    plain = CustomerFactory(first_name="Ana", last_name="Sola", owner=rep, team=team)
    CustomerFactory(first_name="Not", last_name="Chosen", owner=rep, team=team)
    client.force_login(rep)
    response = _bulk(
        client, action="export_csv", ids=[evil.pk, plain.pk], query="cols=name,status,email"
    )
    job = response.context["list"].bulk_job
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    page = response.content.decode()
    assert "2 rows exported." in page
    assert f'href="/ui/lists/bulk-jobs/{job.pk}/file/"' in page
    rows = _csv(_download(client, job))
    assert rows[0] == ["Name", "Status", "E-mail"]  # the list's shown columns, its labels
    by_name = {r[0]: r for r in rows[1:]}
    # A name that would run as a formula is shown, never run; chips become their text.
    assert by_name["'=HYPERLINK(1) X"] == ["'=HYPERLINK(1) X", "Active", "eva@example.es"]
    assert by_name["Ana Sola"] == ["Ana Sola", "Active", ""]
    assert len(rows) == 3
    audit = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert audit.user == rep and audit.detail["rows"] == 2 and audit.detail["format"] == "csv"


def test_export_xlsx_of_all_matching_rows_stays_in_the_reps_scope(client, rep, team):
    from openpyxl import load_workbook

    mine = CustomerFactory.create_batch(3, owner=rep, team=team, status="prospect")
    CustomerFactory(first_name="Hidden", status="prospect")  # another team's
    CustomerFactory(owner=rep, team=team, status="active")  # filtered out
    client.force_login(rep)
    response = _bulk(client, action="export_xlsx", all="1", query="status=prospect")
    job = response.context["list"].bulk_job
    assert job.done == 3
    sheet = load_workbook(io.BytesIO(_download(client, job))).active
    values = list(sheet.values)
    assert values[0] == ("Name", "Kind", "Status", "Account manager", "Team")
    assert sorted(v[0] for v in values[1:]) == sorted(c.display_name for c in mine)
    assert {v[4] for v in values[1:]} == {team.name}


def test_the_file_is_its_requesters_only_and_expires(client, rep, team, admin_user):
    CustomerFactory(owner=rep, team=team)
    client.force_login(rep)
    job = _bulk(client, action="export_csv", all="1", query="").context["list"].bulk_job
    client.force_login(UserFactory(username="peer", role=Role.SALES_REP, teams=[team]))
    assert client.get(f"/ui/lists/bulk-jobs/{job.pk}/file/").status_code == 404
    client.force_login(admin_user)  # not even an administrator
    assert client.get(f"/ui/lists/bulk-jobs/{job.pk}/file/").status_code == 404
    client.logout()
    assert client.get(f"/ui/lists/bulk-jobs/{job.pk}/file/").status_code in (302, 401)
    client.force_login(rep)
    BulkJob.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - datetime.timedelta(hours=25)
    )
    expired = client.get(f"/ui/lists/bulk-jobs/{job.pk}/file/")
    assert expired.status_code == 409
    assert "This export has expired" in expired.content.decode()
    # The worker's sweep deletes the file itself.
    assert default_storage.exists(job.file)
    jobs.bulk_exports_forget()
    assert not default_storage.exists(job.file)
    job.refresh_from_db()
    assert job.file == ""


def test_a_big_export_runs_in_the_background_and_its_queries_do_not_grow_with_rows(
    client,
    admin_user,
    monkeypatch,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    monkeypatch.setattr(actions, "BULK_INLINE", 2)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 5)
    CustomerFactory.create_batch(20)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = _bulk(client, action="export_csv", all="1", query="cols=name,owner,team,city")
    job = response.context["list"].bulk_job
    assert (job.status, job.total) == ("queued", 20)
    assert "0 of 20 rows, in the background" in response.content.decode()
    # 4 chunks of 5 rows: a few queries per chunk, never one per row.
    with django_assert_max_num_queries(30):
        for callback in queued:
            callback()
    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 20)
    assert len(_csv(_download(client, job))) == 21
    report = client.get(f"/ui/lists/bulk-jobs/{job.pk}/").content.decode()
    assert "20 rows exported." in report and "Download the file" in report


def test_deactivate_then_undo_puts_back_each_status_unless_changed_since(client, rep, team):
    prospect = CustomerFactory(
        first_name="Pia", last_name="Prospecto", owner=rep, team=team, status="prospect"
    )
    active = CustomerFactory(first_name="Ana", last_name="Activa", owner=rep, team=team)
    touched = CustomerFactory(first_name="Teo", last_name="Tocado", owner=rep, team=team)
    already = CustomerFactory(
        first_name="Ines", last_name="Inactiva", owner=rep, team=team, status="inactive"
    )
    hidden = CustomerFactory(first_name="Otro", last_name="Equipo")
    client.force_login(rep)
    response = _bulk(client, action="deactivate", all="1", query="")
    job = response.context["list"].bulk_job
    assert job.done == 3
    assert job.refused == [["Ines Inactiva", "Already inactive."]]
    assert f'hx-post="/ui/lists/bulk-jobs/{job.pk}/undo/"' in response.content.decode()
    hidden.refresh_from_db()
    assert hidden.status == "active"  # out of his sight: untouched
    assert set(Customer.objects.filter(owner=rep).values_list("status", flat=True)) == {"inactive"}
    # Someone sets one of them to prospect meanwhile: the undo leaves it as it is.
    Customer.objects.filter(pk=touched.pk).update(status="prospect")
    client.force_login(UserFactory(username="peer", role=Role.SALES_REP, teams=[team]))
    assert client.post(f"/ui/lists/bulk-jobs/{job.pk}/undo/").status_code == 404  # not his
    client.force_login(rep)
    undone = (
        client.post(f"/ui/lists/bulk-jobs/{job.pk}/undo/", headers={"HX-Request": "true"})
        .context["list"]
        .bulk_job
    )
    assert undone.undo_of == job and undone.done == 2
    assert undone.refused == [["Teo Tocado", "Its status was changed since: left as it is."]]
    statuses = dict(Customer.objects.values_list("pk", "status"))
    assert statuses[prospect.pk] == "prospect" and statuses[active.pk] == "active"
    assert statuses[touched.pk] == "prospect" and statuses[already.pk] == "inactive"
    # Once only.
    again = client.post(f"/ui/lists/bulk-jobs/{job.pk}/undo/", headers={"HX-Request": "true"})
    assert "This action was already undone." in again.content.decode()
    assert BulkJob.objects.filter(undo_of=job).count() == 1


def test_add_to_a_marketing_list_all_matching_in_scope_one_event_per_chunk(client, team, emitted):
    manager = UserFactory(username="boss", role=Role.SALES_MANAGER)
    team.managers.add(manager)
    spring = StaticList.objects.create(name="Spring offer")
    ours = CustomerFactory.create_batch(3, team=team)
    hidden = CustomerFactory()  # another team's
    client.force_login(manager)
    page = client.get("/customers/").content.decode()
    assert "Add to marketing list" in page and "Spring offer" in page
    with emitted() as events:
        response = _bulk(
            client, action="add_to_list", **{"value-add_to_list": str(spring.pk)}, all="1"
        )
    assert response.context["list"].report.done == 3
    members = set(
        ListMembership.objects.filter(static_list=spring).values_list("customer_id", flat=True)
    )
    assert members == {c.pk for c in ours}
    assert hidden.pk not in members
    assert [name for name, _payload in events].count("list.changed") == 1
    # A forged id of a customer he cannot see is not reached either.
    response = _bulk(
        client, action="add_to_list", **{"value-add_to_list": str(spring.pk)}, ids=[hidden.pk]
    )
    assert not ListMembership.objects.filter(customer=hidden).exists()


def test_a_rep_is_not_offered_lists_and_cannot_post_it(client, rep, team):
    StaticList.objects.create(name="Spring offer")
    CustomerFactory(owner=rep, team=team)
    client.force_login(rep)
    page = client.get("/customers/")
    assert "add_to_list" not in [a["key"] for a in page.context["list"].bulk.actions]
    response = _bulk(client, action="add_to_list", all="1")
    assert "Choose an action." in response.content.decode()
    assert not ListMembership.objects.exists()
