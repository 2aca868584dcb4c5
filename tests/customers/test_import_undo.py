"""Undoing an import never deletes or overwrites what did not come from it.

Each test reproduces a scenario where the old undo lost data: a merge into a customer
the import created, records added to a created customer since, an agent's edit to an
updated one. Then the batched, resumable run of the undo.
"""

import datetime

import pytest
from django.urls import reverse

from panorama.channels.services import interaction_record
from panorama.core.exceptions import Conflict
from panorama.core.models import FieldChange
from panorama.customers.duplicates.services.merge import customer_merge, customer_merge_undo
from panorama.customers.imports.services import undo as import_undo
from panorama.customers.imports.services.jobs import import_file_sync, import_job_undo
from panorama.customers.models import (
    Address,
    Consent,
    Customer,
    CustomerMerge,
    Holding,
    Identity,
    ImportChange,
    ImportJob,
)
from panorama.customers.services.customer import IdentityData, customer_update, identity_add
from panorama.customers.services.relations import consent_record, holding_add
from tests.factories import CustomerFactory, IdentityFactory

from .import_files import HEADER_ES, ROWS_ES, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def file_run(tmp_path, rows, by, name="clientes.csv", header=HEADER_ES) -> ImportJob:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows, header=header))
    return import_file_sync(path=path, by=by)


@pytest.fixture
def undo(django_capture_on_commit_callbacks):
    """Ask for the undo as the page and the API do; the task runs after commit."""

    def run(job: ImportJob, by) -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            import_job_undo(job=job, by=by)
        job.refresh_from_db()
        return job

    return run


def created(job: ImportJob, dni: str) -> Customer:
    return Customer.objects.get(identities__kind="national_id", identities__value=dni)


# --- merges that depend on the import ---------------------------------------------------


def test_undo_is_refused_while_a_merge_into_a_created_customer_stands(tmp_path, admin_user, undo):
    job = file_run(tmp_path, ROWS_ES, admin_user)
    x = created(job, "12345678Z")
    m = CustomerFactory(first_name="Ana", last_name="García")
    IdentityFactory(customer=m, kind="phone", value="+34699000111")
    holding = Holding.objects.create(
        customer=m, product_code="P1", product_name="Plan", start_date=datetime.date(2024, 1, 1)
    )
    consent = Consent.objects.create(
        customer=m, purpose="marketing", channel="email", granted=False, at=job.finished_at
    )
    merge = customer_merge(survivor=x, merged=m, by=admin_user)

    with pytest.raises(Conflict) as refused:
        import_job_undo(job=job, by=admin_user)

    message = str(refused.value.message)
    assert "undo" in message and f"#{merge.pk}" in message and str(m) in message
    job.refresh_from_db()
    assert job.status == "done"
    # Nothing was touched: X still holds everything moved from M, and M stays merged.
    assert Customer.objects.filter(pk=x.pk).exists()
    assert Holding.objects.get(pk=holding.pk).customer_id == x.pk
    assert Consent.objects.get(pk=consent.pk).customer_id == x.pk
    assert Identity.objects.filter(customer=x, value="+34699000111").exists()
    m.refresh_from_db()
    assert m.merged_into_id == x.pk

    # The way out the message names: undo the merge, then the import.
    customer_merge_undo(merge=merge, by=admin_user)
    job = undo(job, admin_user)
    assert job.status == "undone"
    assert not Customer.objects.filter(pk=x.pk).exists()
    assert Holding.objects.get(pk=holding.pk).customer_id == m.pk
    assert Consent.objects.filter(pk=consent.pk, customer=m).exists()


def test_undo_is_refused_while_an_updated_customer_is_merged(tmp_path, admin_user, undo):
    old = CustomerFactory(first_name="Ana", last_name="Vieja", display_name="Ana Vieja")
    IdentityFactory(customer=old, kind="national_id", value="12345678Z")
    job = file_run(tmp_path, ROWS_ES[:1], admin_user)
    other = CustomerFactory()
    customer_merge(survivor=other, merged=old, by=admin_user)
    with pytest.raises(Conflict):
        import_job_undo(job=job, by=admin_user)


def test_a_merge_undone_before_the_import_undo_does_not_block_it(tmp_path, admin_user, undo):
    job = file_run(tmp_path, ROWS_ES, admin_user)
    m = CustomerFactory()
    merge = customer_merge(survivor=created(job, "12345678Z"), merged=m, by=admin_user)
    customer_merge_undo(merge=merge, by=admin_user)
    job = undo(job, admin_user)
    assert job.status == "undone"
    assert Customer.objects.filter(pk=m.pk, merged_into=None).exists()


# --- created customers that gained records ----------------------------------------------


def test_a_created_customer_with_records_added_since_is_kept_and_reported(
    tmp_path, admin_user, undo
):
    job = file_run(tmp_path, ROWS_ES, admin_user)
    ana, jose, inigo = (created(job, d) for d in ("12345678Z", "87654321X", "X1234567L"))
    withdrawal = consent_record(customer=ana, purpose="marketing", granted=False, by=admin_user)
    contact = interaction_record(
        customer_id=ana.pk,
        channel="phone",
        direction="inbound",
        subject="Pide la baja",
        by=admin_user,
    )
    holding = holding_add(
        customer=jose,
        product_code="P1",
        product_name="Plan",
        start_date=datetime.date(2024, 1, 1),
        by=admin_user,
    )

    job = undo(job, admin_user)

    assert job.status == "undone"
    # Ana and José are kept with all they had; Íñigo, untouched since, is deleted.
    assert set(Customer.objects.values_list("pk", flat=True)) == {ana.pk, jose.pk}
    assert Consent.objects.filter(pk=withdrawal.pk, customer=ana).exists()
    assert contact.__class__.objects.filter(pk=contact.pk, customer=ana).exists()
    assert Holding.objects.filter(pk=holding.pk, customer=jose).exists()
    assert ana.identities.filter(kind="email", value="ana@example.com").exists()
    assert (job.undo_deleted, job.undo_kept) == (1, 2)
    notes = {n.customer_id: n for n in job.undo_notes.all()}
    assert set(notes) == {ana.pk, jose.pk}
    assert notes[ana.pk].kind == "kept"
    assert set(notes[ana.pk].detail["records"]) == {"customers.consent", "channels.interaction"}
    assert notes[jose.pk].detail["records"] == ["customers.holding"]
    # They no longer count as the import's, and their ficha says so.
    assert not Customer.objects.filter(import_job=job).exists()
    change = FieldChange.objects.get(customer_id=ana.pk, field="import_job")
    assert change.reason == "import undone" and "clientes.csv" in change.old_value


def test_a_created_customer_edited_or_given_an_identity_since_is_kept(tmp_path, admin_user, undo):
    job = file_run(tmp_path, ROWS_ES, admin_user)
    ana, jose = created(job, "12345678Z"), created(job, "87654321X")
    customer_update(customer=ana, by=admin_user, changes={"notes": "Llamar por la tarde"})
    identity_add(customer=jose, item=IdentityData(kind="phone", value="699887766"), by=admin_user)
    job = undo(job, admin_user)
    assert set(Customer.objects.values_list("pk", flat=True)) == {ana.pk, jose.pk}
    ana.refresh_from_db()
    assert ana.notes == "Llamar por la tarde"


def test_a_created_customer_given_an_address_or_a_group_since_is_kept(tmp_path, admin_user, undo):
    from panorama.customers.services.customer import AddressData, address_add
    from panorama.customers.services.relations import group_create, group_member_add

    job = file_run(tmp_path, ROWS_ES, admin_user)
    ana, jose, inigo = (created(job, d) for d in ("12345678Z", "87654321X", "X1234567L"))
    address_add(customer=ana, item=AddressData(line1="Calle Nueva 3"), by=admin_user)
    family = group_create(name="Familia Muñoz", kind="family", by=admin_user)
    group_member_add(group=family, customer=jose, by=admin_user)

    job = undo(job, admin_user)

    assert set(Customer.objects.values_list("pk", flat=True)) == {ana.pk, jose.pk}
    assert ana.addresses.filter(line1="Calle Nueva 3").exists()
    assert jose.memberships.filter(group=family).exists()
    records = {n.customer_id: n.detail["records"] for n in job.undo_notes.all()}
    assert records == {ana.pk: ["core.fieldchange"], jose.pk: ["customers.groupmembership"]}


# --- updated customers edited since ------------------------------------------------------


def test_undo_restores_only_what_nobody_changed_since_and_reports_the_rest(
    tmp_path, admin_user, undo
):
    old = CustomerFactory(
        first_name="Ana", last_name="Vieja", display_name="Ana Vieja", notes="cliente antigua"
    )
    IdentityFactory(customer=old, kind="national_id", value="12345678Z")
    rows = [["Anabel", "García López", "12345678Z", "600 11 22 33", "nota del fichero"]]
    job = file_run(
        tmp_path, rows, admin_user, header=["Nombre", "Apellidos", "DNI", "Teléfono", "Notas"]
    )
    old.refresh_from_db()
    assert (old.first_name, old.last_name, old.notes) == (
        "Anabel",
        "García López",
        "nota del fichero",
    )
    agent = admin_user.__class__.objects.create_user("agente", role="service_agent")
    customer_update(customer=old, by=agent, changes={"last_name": "García Ruiz"})

    job = undo(job, admin_user)

    old.refresh_from_db()
    # The agent's last name stays; what the import alone wrote goes back.
    assert (old.first_name, old.last_name, old.notes) == ("Ana", "García Ruiz", "cliente antigua")
    assert old.display_name == "Ana García Ruiz"
    assert not old.identities.filter(kind="phone").exists()  # the import added it
    assert (job.undo_restored, job.undo_conflicts) == (1, 1)
    note = job.undo_notes.get()
    assert (note.customer_id, note.kind, note.field) == (old.pk, "conflict", "last_name")
    assert note.detail == {"before": "Vieja", "imported": "García López", "current": "García Ruiz"}
    # Every undo write is in the field history, beside the import's.
    undone = FieldChange.objects.filter(customer_id=old.pk, reason="import undone")
    assert {(c.field, c.old_value, c.new_value) for c in undone} >= {
        ("first_name", "Anabel", "Ana"),
        ("notes", "nota del fichero", "cliente antigua"),
        ("identity:phone", "+34600112233", ""),
    }
    assert undone.filter(changed_by=admin_user).count() == undone.count()
    assert FieldChange.objects.filter(customer_id=old.pk, reason="import").exists()
    assert not ImportChange.objects.filter(job=job).exists()


def test_custom_fields_are_restored_key_by_key(tmp_path, admin_user, undo):
    from tests.factories import CustomFieldDefinitionFactory

    CustomFieldDefinitionFactory(key="segmento", label="Segmento")
    CustomFieldDefinitionFactory(key="zona", label="Zona")
    old = CustomerFactory(custom_fields={"segmento": "A", "zona": "Norte"})
    IdentityFactory(customer=old, kind="national_id", value="12345678Z")
    rows = [["Ana", "García", "12345678Z", "B", "Sur"]]
    job = file_run(
        tmp_path, rows, admin_user, header=["Nombre", "Apellidos", "DNI", "segmento", "zona"]
    )
    customer_update(customer=old, by=admin_user, changes={"custom_fields": {"zona": "Este"}})
    undo(job, admin_user)
    old.refresh_from_db()
    assert old.custom_fields == {"segmento": "A", "zona": "Este"}


def test_an_identity_the_import_added_and_another_record_uses_is_kept(tmp_path, admin_user, undo):
    old = CustomerFactory()
    IdentityFactory(customer=old, kind="national_id", value="12345678Z")
    job = file_run(tmp_path, ROWS_ES[:1], admin_user)
    address = Address.objects.get(customer=old)
    old.addresses.exclude(pk=address.pk).delete()
    undo(job, admin_user)
    # The address it added had nothing pointing at it: removed, and in the history.
    assert not Address.objects.filter(pk=address.pk).exists()
    assert FieldChange.objects.filter(
        customer_id=old.pk, field="address", reason="import undone"
    ).exists()


def test_the_ficha_shows_the_import_and_its_undo(tmp_path, admin_user, undo, client):
    old = CustomerFactory(first_name="Ana", last_name="Vieja", display_name="Ana Vieja")
    IdentityFactory(customer=old, kind="national_id", value="12345678Z")
    job = file_run(tmp_path, ROWS_ES[:1], admin_user)
    undo(job, admin_user)
    client.force_login(admin_user)
    page = client.get(reverse("customers:detail", args=[old.pk])).content.decode()
    assert "Import undone" in page and ">Import<" in page


# --- batches, progress, resuming ----------------------------------------------------------


def many_rows(n: int) -> list[list[str]]:
    return [[f"Nombre{i}", f"Apellido {i}", "", "", f"p{i}@example.com"] for i in range(n)]


def test_undo_commits_in_batches_and_an_interrupted_undo_finishes_when_asked_again(
    tmp_path, admin_user, undo, monkeypatch, client
):
    monkeypatch.setattr(import_undo, "BATCH_SIZE", 4)
    job = file_run(tmp_path, many_rows(10), admin_user, header=HEADER_ES[:5])
    assert job.created_count == 10
    seen = []
    real = import_undo._undo_batch

    def dies_on_the_second_batch(job_id, by):
        if len(seen) == 1:
            raise RuntimeError("worker killed")
        seen.append(job_id)
        return real(job_id, by)

    monkeypatch.setattr(import_undo, "_undo_batch", dies_on_the_second_batch)
    job = undo(job, admin_user)  # the task logs the error; the worker lives on
    # The first batch is committed and counted; the job says it is still being undone.
    assert (job.status, job.undo_total, job.undo_processed) == ("undoing", 10, 4)
    assert Customer.objects.count() == 6
    assert "worker killed" in job.undo_error
    client.force_login(admin_user)
    page = client.get(reverse("customers:import_detail", args=[job.pk])).content.decode()
    assert "worker killed" in page and "Finish the undo" in page
    assert "4 of 10 customers undone" in page and "every 1s" not in page

    monkeypatch.setattr(import_undo, "_undo_batch", real)
    job = undo(job, admin_user)
    assert (job.status, job.undo_processed, job.undo_deleted) == ("undone", 10, 10)
    assert job.undo_error == ""
    assert not Customer.objects.exists()
    with pytest.raises(Conflict):
        import_job_undo(job=job, by=admin_user)


def test_each_batch_takes_the_same_queries_however_many_customers_it_holds(
    tmp_path, admin_user, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(import_undo, "BATCH_SIZE", 100)

    def queries_of_one_batch(rows: list[list[str]], name: str, updated: bool) -> int:
        if updated:  # the same people again, with another last name: all updated
            rows = [[first, last + " B", *rest] for first, last, *rest in rows]
        job = file_run(tmp_path, rows, admin_user, header=HEADER_ES[:5], name=name)
        import_job_undo(job=job, by=admin_user)
        with CaptureQueriesContext(connection) as queries:
            import_undo._undo_batch(job.pk, admin_user)
        return len(queries)

    # (25: within what one bulk UPDATE holds on SQLite, which Django splits past 999
    # parameters; a batch of 2,000 is a few such statements, never one per customer.)
    few, many = many_rows(5), many_rows(25)
    created = (
        queries_of_one_batch(few, "a.csv", False),
        queries_of_one_batch(many, "b.csv", False),
    )
    assert created[0] == created[1]
    assert not Customer.objects.exists()
    file_run(tmp_path, many, admin_user, header=HEADER_ES[:5], name="base.csv")
    updated = (queries_of_one_batch(few, "c.csv", True), queries_of_one_batch(many, "d.csv", True))
    assert updated[0] == updated[1]


def test_undo_records_from_before_they_kept_the_imported_values_still_spare_later_edits(
    tmp_path, admin_user, undo
):
    old = CustomerFactory(first_name="Ana", last_name="Vieja", display_name="Ana Vieja")
    IdentityFactory(customer=old, kind="national_id", value="12345678Z")
    rows = [["Anabel", "García López", "12345678Z"]]
    job = file_run(tmp_path, rows, admin_user, header=["Nombre", "Apellidos", "DNI"])
    change = job.changes.get()
    del change.before["after"]  # as written by the import before this version
    change.save()
    customer_update(customer=old, by=admin_user, changes={"last_name": "García Ruiz"})

    job = undo(job, admin_user)

    old.refresh_from_db()
    assert (old.first_name, old.last_name) == ("Ana", "García Ruiz")
    assert job.undo_notes.get().field == "last_name"


def test_the_page_and_the_api_show_the_undo_and_its_report(
    tmp_path, admin_user, client, api, django_capture_on_commit_callbacks
):
    old = CustomerFactory(first_name="Ana", last_name="Vieja", display_name="Ana Vieja")
    IdentityFactory(customer=old, kind="national_id", value="12345678Z")
    job = file_run(tmp_path, ROWS_ES, admin_user)
    customer_update(customer=old, by=admin_user, changes={"last_name": "García Ruiz"})
    jose = created(job, "87654321X")
    consent_record(customer=jose, purpose="marketing", granted=False, by=admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/imports/{job.pk}/undo")
    assert r.status_code == 202 and r.json()["status"] == "undoing"

    body = api.get(f"/imports/{job.pk}").json()
    assert body["status"] == "undone" and body["progress"] == 100
    assert (body["undo_deleted"], body["undo_restored"], body["undo_kept"]) == (1, 1, 1)
    assert body["undo_conflicts"] == 1
    report = api.get(f"/imports/{job.pk}/undo-report").json()
    assert report["count"] == 2
    by_kind = {n["kind"]: n for n in report["notes"]}
    assert by_kind["kept"]["customer_id"] == jose.pk
    assert "consents" in by_kind["kept"]["message"]
    assert by_kind["conflict"]["field"] == "last_name"
    assert "García Ruiz" in by_kind["conflict"]["message"]

    client.force_login(admin_user)
    page = client.get(reverse("customers:import_detail", args=[job.pk])).content.decode()
    assert "Undo report" in page and "García Ruiz" in page and jose.display_name in page


def test_undo_of_a_job_being_undone_resumes_it(tmp_path, admin_user, undo, monkeypatch):
    job = file_run(tmp_path, ROWS_ES, admin_user)
    ImportJob.objects.filter(pk=job.pk).update(status="undoing", undo_total=3)
    job = undo(job, admin_user)
    assert job.status == "undone" and not Customer.objects.exists()


def test_merging_into_a_customer_of_a_job_being_undone_keeps_it(tmp_path, admin_user, undo):
    """A merge made while the undo runs (between two batches) keeps its survivor."""
    job = file_run(tmp_path, ROWS_ES, admin_user)
    x = created(job, "12345678Z")
    ImportJob.objects.filter(pk=job.pk).update(status="undoing", undo_total=3)
    m = CustomerFactory()
    customer_merge(survivor=x, merged=m, by=admin_user)
    undo(job, admin_user)
    assert Customer.objects.filter(pk=x.pk).exists()
    assert CustomerMerge.objects.filter(survivor=x).exists()


def test_an_undo_whose_worker_died_is_queued_again_by_the_sweep(
    tmp_path, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    import socket
    import subprocess
    import sys

    from panorama.core import jobs

    monkeypatch.setattr(import_undo, "BATCH_SIZE", 4)
    job = file_run(tmp_path, many_rows(10), admin_user, header=HEADER_ES[:5])
    import_job_undo(job=job, by=admin_user)  # queued; its task never runs here
    dead = subprocess.Popen([sys.executable, "-c", ""])
    dead.wait()  # a worker that was killed: its pid is free
    ImportJob.objects.filter(pk=job.pk).update(worker=f"{socket.gethostname()[:40]}:{dead.pid}/x")
    live = ImportJob.objects.create(
        original_name="other.csv", status="undoing", worker=jobs.process_tag()
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.jobs_recover() == 1

    job.refresh_from_db()
    assert (job.status, job.undo_processed, job.restarts, job.worker) == ("undone", 10, 1, "")
    assert not Customer.objects.exists()
    live.refresh_from_db()
    assert live.status == "undoing"  # its worker (this process) is alive: left alone


def test_an_undo_interrupted_too_often_waits_for_the_user(tmp_path, admin_user, undo):
    import socket
    import subprocess
    import sys

    from panorama.core import jobs

    job = file_run(tmp_path, ROWS_ES, admin_user)
    dead = subprocess.Popen([sys.executable, "-c", ""])
    dead.wait()
    ImportJob.objects.filter(pk=job.pk).update(
        status="undoing",
        undo_total=3,
        restarts=import_undo.MAX_RESTARTS,
        worker=f"{socket.gethostname()[:40]}:{dead.pid}/x",
    )
    assert jobs.jobs_recover() == 1
    job.refresh_from_db()
    assert "interrupted 3 times" in job.undo_error and job.worker == ""
    job = undo(job, admin_user)  # "Finish the undo"
    assert job.status == "undone" and job.undo_error == ""


@pytest.mark.django_db(transaction=True)
def test_the_real_database_worker_runs_the_undo(settings, tmp_path):
    """With the production queue (django-tasks' database backend), the undo asked for
    on the page waits in the queue and the task worker runs it to the end."""
    from django.core.management import call_command

    from tests.factories import UserFactory

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    admin = UserFactory(username="boss", role="admin", is_superuser=True)
    job = file_run(tmp_path, ROWS_ES, admin)
    import_job_undo(job=job, by=admin)
    job.refresh_from_db()
    assert job.status == "undoing" and Customer.objects.count() == 3

    call_command(
        "db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0
    )

    job.refresh_from_db()
    assert (job.status, job.undo_deleted, job.worker) == ("undone", 3, "")
    assert not Customer.objects.exists()
