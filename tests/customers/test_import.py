"""Customer import, service level: formats, bad rows, re-runs and undo."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from panorama.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from panorama.customers.imports.services import run
from panorama.customers.imports.services.jobs import (
    import_file_sync,
    import_job_create,
    import_job_run,
    import_job_undo,
    import_rows_per_s,
)
from panorama.customers.models import Customer, Identity, ImportJob
from tests.factories import (
    CustomerFactory,
    CustomFieldDefinitionFactory,
    IdentityFactory,
    UserFactory,
)

from .import_files import HEADER_ES, ROWS_ES, csv_bytes, xlsx_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(content: bytes, name="clientes.csv"):
    return SimpleUploadedFile(name, content)


def file_run(tmp_path, content: bytes, by=None, name="clientes.csv", mapping=None) -> ImportJob:
    path = tmp_path / name
    path.write_bytes(content)
    return import_file_sync(path=path, by=by, mapping=mapping)


def test_good_csv_creates_customers_with_identities_and_address(tmp_path, admin_user):
    job = file_run(tmp_path, csv_bytes(ROWS_ES), by=admin_user)

    assert (job.status, job.created_count, job.updated_count, job.rejected_count) == (
        "done",
        3,
        0,
        0,
    )
    assert job.total_rows == job.processed_rows == 3
    ana = Customer.objects.get(identities__kind="national_id", identities__value="12345678Z")
    assert ana.display_name == "Ana García López"
    assert ana.owner == admin_user
    assert set(ana.identities.values_list("kind", "value")) == {
        ("national_id", "12345678Z"),
        ("phone", "+34600112233"),
        ("email", "ana@example.com"),
    }
    assert ana.addresses.get().city == "Madrid"
    # Each customer it created knows the import, which is what undo deletes.
    assert set(job.created_customers.all()) == set(Customer.objects.all())
    assert job.created_customers.count() == 3
    assert import_rows_per_s(job) > 0


def test_bulk_create_returns_primary_keys(tmp_path, admin_user):
    job = file_run(tmp_path, csv_bytes(ROWS_ES), by=admin_user)
    created = job.created_customers.all()
    # Identities were written with the ids bulk_create handed back: none is orphaned.
    assert Identity.objects.filter(customer__in=created).count() == 9


def test_windows_1252_csv_with_spanish_accents(tmp_path, admin_user):
    job = file_run(tmp_path, csv_bytes(ROWS_ES, encoding="cp1252"), by=admin_user)

    assert job.encoding == "cp1252"
    assert job.created_count == 3
    assert Customer.objects.filter(first_name="Íñigo", last_name="Ibáñez").exists()
    assert Customer.objects.filter(last_name="Muñoz Peña").exists()


def test_utf8_with_bom_is_read_as_utf8(tmp_path, admin_user):
    job = file_run(tmp_path, b"\xef\xbb\xbf" + csv_bytes(ROWS_ES), by=admin_user)
    assert job.encoding == "utf-8-sig"
    assert job.mapping["Nombre"] == "first_name"


def test_semicolon_delimited(tmp_path, admin_user):
    job = file_run(tmp_path, csv_bytes(ROWS_ES, delimiter=";"), by=admin_user)
    assert job.delimiter == ";"
    assert job.created_count == 3


def test_xlsx_with_numeric_phone_cells(tmp_path, admin_user):
    rows = [[*r] for r in ROWS_ES]
    rows[2][3] = 622334455  # Excel keeps a phone typed without spaces as a number
    job = file_run(tmp_path, xlsx_bytes(rows), by=admin_user, name="clientes.xlsx")

    assert (job.file_format, job.created_count, job.rejected_count) == ("xlsx", 3, 0)
    assert Identity.objects.filter(kind="phone", value="+34622334455").exists()


def test_bad_rows_are_reported_and_good_rows_kept(tmp_path, admin_user):
    CustomFieldDefinitionFactory(
        key="segment", label="Segmento", type="choice", choices=["oro", "plata"]
    )
    header = [*HEADER_ES, "Segmento"]
    rows = [
        [*ROWS_ES[0], "oro"],
        ["Luis", "Pérez", "12345678A", "", "", "", "", "", ""],  # wrong check letter
        ["Marta", "Ruiz", "11111111H", "12", "", "", "", "", ""],  # not a phone
        ["Pablo", "Sanz", "22222222J", "", "pablo@@example", "", "", "", ""],  # bad e-mail
        ["Eva", "Gil", "", "", "eva@example.com", "", "", "", "bronce"],  # unknown choice
        [*ROWS_ES[1], "plata"],
    ]
    job = file_run(tmp_path, csv_bytes(rows, header=header), by=admin_user)

    assert (job.status, job.created_count, job.rejected_count) == ("done", 2, 4)
    errors = {e.row_number: (e.field, e.message) for e in job.row_errors.all()}
    assert errors[3][0] == "DNI" and "check letter" in errors[3][1]
    assert errors[4][0] == "Teléfono" and "not a valid phone number" in errors[4][1]
    assert errors[5][0] == "Email" and "not a valid e-mail" in errors[5][1]
    assert errors[6][0] == "Segmento" and "bronce" in errors[6][1]
    assert job.row_errors.get(row_number=3).cells[:3] == ["Luis", "Pérez", "12345678A"]
    assert Customer.objects.get(first_name="Ana").custom_fields == {"segment": "oro"}
    assert not Customer.objects.filter(first_name__in=["Luis", "Marta", "Pablo", "Eva"]).exists()


def test_missing_name_column_is_refused_before_anything_is_written(tmp_path, admin_user):
    content = csv_bytes([["12345678Z", "ana@example.com"]], header=["DNI", "Email"])
    with pytest.raises(ValidationFailed, match="name"):
        file_run(tmp_path, content, by=admin_user)
    assert not ImportJob.objects.exists() and not Customer.objects.exists()


def test_missing_identifier_column_is_refused(admin_user):
    content = csv_bytes([["Ana", "García"]], header=["Nombre", "Apellidos"])
    with pytest.raises(ValidationFailed, match="identifies"):
        import_job_create(upload=upload(content), by=admin_user)
    assert not ImportJob.objects.exists()


def test_explicit_mapping_overrides_the_guess(tmp_path, admin_user):
    content = csv_bytes([["Ana", "X-1"]], header=["Cliente", "Ref"])
    job = file_run(
        tmp_path, content, by=admin_user, mapping={"Cliente": "first_name", "Ref": "external_id"}
    )
    assert job.created_count == 1
    assert Identity.objects.filter(kind="external_id", value="X-1").exists()


def test_unknown_column_in_mapping_is_a_clear_error(admin_user):
    with pytest.raises(ValidationFailed, match="Móvil"):
        import_job_create(
            upload=upload(csv_bytes(ROWS_ES)), mapping={"Móvil": "phone"}, by=admin_user
        )


def test_oversized_file_is_refused_with_the_limit(settings, admin_user):
    settings.PANORAMA_MAX_IMPORT_BYTES = 100
    with pytest.raises(ValidationFailed, match="100") as info:
        import_job_create(upload=upload(csv_bytes(ROWS_ES)), by=admin_user)
    assert info.value.status_code == 413


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("clientes.pdf", b"%PDF-1.4", "neither a CSV nor an Excel"),
        ("clientes.csv", b"", "empty"),
        ("clientes.xlsx", b"not a zip", "damaged"),
    ],
)
def test_unreadable_files_are_refused(admin_user, name, content, message):
    with pytest.raises(ValidationFailed, match=message):
        import_job_create(upload=upload(content, name), by=admin_user)


def test_read_only_role_cannot_import(db):
    analyst = UserFactory(role="analyst")
    with pytest.raises(PermissionDenied):
        import_job_create(upload=upload(csv_bytes(ROWS_ES)), by=analyst)


def test_rerun_of_the_same_file_changes_nothing_and_says_so(tmp_path, admin_user):
    content = csv_bytes(ROWS_ES)
    file_run(tmp_path, content, by=admin_user)
    again = file_run(tmp_path, content, by=admin_user, name="clientes-2.csv")

    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert again.rejected_count == 0
    assert not again.changes.exists()  # nothing for its undo to restore
    assert Customer.objects.count() == 3
    assert Identity.objects.count() == 9


def undo(*, job: ImportJob, by) -> None:
    """Ask for the undo and run its task (after commit, as in production)."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        import_job_undo(job=job, by=by)


def test_a_file_imported_again_with_one_change_updates_that_customer_only(tmp_path, admin_user):
    file_run(tmp_path, csv_bytes(ROWS_ES), by=admin_user)
    edited = [list(row) for row in ROWS_ES]
    edited[1][1] = "Muñoz Peña de Arriba"
    again = file_run(tmp_path, csv_bytes(edited), by=admin_user, name="clientes-2.csv")

    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 1, 2)
    assert Customer.objects.filter(last_name="Muñoz Peña de Arriba").exists()
    undo(job=again, by=admin_user)
    assert Customer.objects.filter(last_name="Muñoz Peña").exists()
    assert Customer.objects.count() == 3


def test_existing_customer_matched_by_national_id_is_updated_not_duplicated(tmp_path, admin_user):
    old = CustomerFactory(first_name="Ana", last_name="Vieja", display_name="Ana Vieja")
    IdentityFactory(customer=old, kind="national_id", value="12345678Z")
    job = file_run(tmp_path, csv_bytes(ROWS_ES[:1]), by=admin_user)

    assert (job.created_count, job.updated_count) == (0, 1)
    old.refresh_from_db()
    assert old.display_name == "Ana García López"
    assert old.identities.filter(kind="email", value="ana@example.com").exists()


def test_same_customer_twice_in_a_file_is_reported(tmp_path, admin_user):
    job = file_run(tmp_path, csv_bytes([ROWS_ES[0], ROWS_ES[0]]), by=admin_user)
    assert (job.created_count, job.rejected_count) == (1, 1)
    assert job.row_errors.get().message == (
        "Row 2 of this file is the same customer: same National ID (DNI/NIE/CIF)."
    )


def test_family_sharing_a_phone_stays_two_customers(tmp_path, admin_user):
    rows = [["Juan", "Sanz", "11111111H", "600112233"], ["María", "Sanz", "22222222J", "600112233"]]
    job = file_run(
        tmp_path, csv_bytes(rows, header=["Nombre", "Apellidos", "DNI", "Móvil"]), by=admin_user
    )
    assert job.created_count == 2


def test_undo_of_a_create_import_removes_its_customers(tmp_path, admin_user):
    keep = CustomerFactory()
    job = file_run(tmp_path, csv_bytes(ROWS_ES), by=admin_user)
    undo(job=job, by=admin_user)

    job.refresh_from_db()
    assert job.status == "undone" and job.undone_at is not None
    assert list(Customer.objects.all()) == [keep]
    assert not Identity.objects.exists()
    with pytest.raises(Conflict):
        import_job_undo(job=job, by=admin_user)


def test_undo_of_an_update_import_restores_old_values(tmp_path, admin_user):
    old = CustomerFactory(first_name="Ana", last_name="Vieja", display_name="Ana Vieja")
    IdentityFactory(customer=old, kind="national_id", value="12345678Z")
    job = file_run(tmp_path, csv_bytes(ROWS_ES[:1]), by=admin_user)
    undo(job=job, by=admin_user)

    old.refresh_from_db()
    assert (old.last_name, old.display_name) == ("Vieja", "Ana Vieja")
    assert list(old.identities.values_list("kind", flat=True)) == ["national_id"]
    assert not old.addresses.exists()


def test_undo_of_a_running_import_is_refused(admin_user):
    job = import_job_create(upload=upload(csv_bytes(ROWS_ES)), by=admin_user, start=False)
    with pytest.raises(Conflict):
        import_job_undo(job=job, by=admin_user)


def test_run_is_idempotent_for_a_task_delivered_twice(tmp_path, admin_user):
    job = file_run(tmp_path, csv_bytes(ROWS_ES), by=admin_user)
    again = import_job_run(job_id=job.pk)
    assert (again.status, again.created_count) == ("done", 3)
    assert Customer.objects.count() == 3


def test_import_finished_event_is_emitted(tmp_path, admin_user, django_capture_on_commit_callbacks):
    from panorama.core.events import subscribe, unsubscribe

    seen = []

    def handler(event, payload):
        seen.append(payload)

    subscribe("import.finished", handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = file_run(tmp_path, csv_bytes(ROWS_ES), by=admin_user)
    finally:
        unsubscribe("import.finished", handler)
    assert seen == [
        {
            "job_id": job.pk,
            "by": admin_user.pk,
            "created": 3,
            "updated": 0,
            "unchanged": 0,
            "rejected": 0,
        }
    ]


def test_sales_rep_cannot_update_a_customer_he_does_not_see(tmp_path, rep):
    other = CustomerFactory(first_name="Otra", last_name="Persona")
    IdentityFactory(customer=other, kind="national_id", value="12345678Z")
    job = file_run(tmp_path, csv_bytes(ROWS_ES[:1]), by=rep)
    # A customer of his own, as if no one held the DNI: the scan will pair the two.
    assert (job.created_count, job.updated_count, job.rejected_count) == (1, 0, 0)
    other.refresh_from_db()
    assert (other.first_name, other.last_name) == ("Otra", "Persona")
    assert Customer.objects.get(import_job=job).owner_id == rep.pk


def test_management_command_prints_a_summary(tmp_path, admin_user):
    from io import StringIO

    from django.core.management import CommandError, call_command

    path = tmp_path / "clientes.csv"
    path.write_bytes(csv_bytes(ROWS_ES))
    out = StringIO()
    call_command("import_customers", str(path), user="admin", stdout=out)
    assert "3 created, 0 updated, 0 unchanged, 0 rejected" in out.getvalue()
    assert "rows/s" in out.getvalue()

    path.write_bytes(csv_bytes([["x"]], header=["Otra"]))
    with pytest.raises(CommandError, match="name"):
        call_command("import_customers", str(path), stdout=out)


def test_management_command_queues_for_the_worker_only_when_asked(tmp_path, admin_user):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "clientes.csv"
    path.write_bytes(csv_bytes(ROWS_ES))
    out = StringIO()
    call_command("import_customers", str(path), "--queue", user="admin", stdout=out)
    job = ImportJob.objects.get()
    assert out.getvalue().strip() == f"Import {job.pk} queued for the worker."
    assert "rows/s" not in out.getvalue()  # no run, no summary here


@pytest.mark.django_db
def test_a_large_file_is_checked_in_a_helper_process_with_the_same_outcome(tmp_path, monkeypatch):
    """Above two batches the rows are validated in a forked helper process: the rows it
    accepts, the rejections (in the importer's language) and undo are the same."""
    pools = []

    class CountedPool(run.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(run, "ProcessPoolExecutor", CountedPool)
    monkeypatch.setattr(run, "BATCH_SIZE", 4)
    importer = UserFactory(role="admin", language="es")
    rows = [
        [f"Nombre{i}", f"Apellido {i}", "", "", f"persona{i}@example.com", f"Calle {i}", "28001"]
        for i in range(20)
    ]
    rows[5][4] = "no-es-un-correo"  # spreadsheet row 7
    rows[13][4] = "persona2@example.com"  # row 15, the same customer as row 4

    job = file_run(tmp_path, csv_bytes(rows, header=HEADER_ES[:7]), by=importer)

    assert len(pools) == 1
    assert (job.status, job.processed_rows, job.created_count, job.rejected_count) == (
        "done",
        20,
        18,
        2,
    )
    errors = dict(job.row_errors.values_list("row_number", "message"))
    assert errors == {
        7: "no-es-un-correo no es una dirección de correo electrónico válida.",
        15: "La fila 4 de este archivo es el mismo cliente: mismo Correo electrónico.",
    }
    made = Customer.objects.filter(import_job=job)
    assert made.count() == 18
    assert Identity.objects.filter(customer__in=made, kind="email").count() == 18
    assert made.get(last_name="Apellido 19").addresses.get().line1 == "Calle 19"

    undo(job=job, by=importer)
    assert not Customer.objects.exists()
