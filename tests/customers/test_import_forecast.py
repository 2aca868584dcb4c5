"""What an import would do before it runs: the wizard's checked preview (invalid cells
marked by the import's own validation) and the dry run's counts, which must equal what
the import then does; decimal commas; the error file's row, column, value, reason."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.customers.imports.services import forecast
from panorama.customers.imports.services.jobs import (
    import_job_create,
    import_job_run,
    import_job_start,
)
from panorama.customers.imports.services.values import cell_number
from panorama.customers.models import Customer, ImportJob
from tests.factories import (
    CustomerFactory,
    CustomFieldDefinitionFactory,
    IdentityFactory,
    UserFactory,
)

HEADER = ["Nombre", "Apellidos", "DNI", "Email", "Fecha de nacimiento", "Saldo"]
ROWS = [
    ["Ana", "García López", "12345678Z", "ana@example.com", "01/02/1980", "1.234,56"],
    ["Luis", "Pérez", "12345678A", "luis@@example.com", "", "12,5"],  # bad DNI, e-mail
    ["Marta", "Ruiz", "11111111H", "marta@example.com", "31/02/1990", ""],  # no 31 Feb
    ["José", "Muñoz", "87654321X", "jose@nuevo.example", "", "-7,25"],  # updates José
    ["Eva", "Sola", "X1234567L", "eva@example.com", "", "mucho"],  # not a number
    ["Eva", "Sola", "12345678Z", "eva@example.com", "", ""],  # Ana's DNI again
]


def spanish_csv(rows=ROWS, header=HEADER) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode("cp1252")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def saldo(db):
    return CustomFieldDefinitionFactory(key="saldo", label="Saldo", type="decimal")


@pytest.fixture
def jose(admin_user):
    customer = CustomerFactory(first_name="José", last_name="Muñoz", owner=admin_user)
    IdentityFactory(customer=customer, kind="national_id", value="87654321X", is_primary=True)
    return customer


@pytest.fixture
def job(admin_user, saldo, jose):
    return import_job_create(
        upload=SimpleUploadedFile("clientes.csv", spanish_csv()), by=admin_user, start=False
    )


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1.234,56", "1234.56"),
        ("12,5", "12.5"),
        ("-7,25", "-7.25"),
        ("1,234.56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1.234.567", "1234567"),
        ("1 234,5", "1234.5"),
        ("mucho", "mucho"),
    ],
)
def test_decimal_cells_read_in_spanish_and_english(typed, read):
    assert cell_number(typed) == read


def test_the_file_is_read_as_spanish_excel_writes_it(job):
    assert (job.file_format, job.encoding, job.delimiter) == ("csv", "cp1252", ";")
    assert job.mapping == {
        "Nombre": "first_name",
        "Apellidos": "last_name",
        "DNI": "national_id",
        "Email": "email",
        "Fecha de nacimiento": "birth_date",
        "Saldo": "cf:saldo",
    }


def test_english_headers_map_as_well(admin_user):
    header = ["First name", "Surname", "E-mail address", "Date of birth", "Postcode", "Town"]
    row = ["Ann", "Smith", "ann@example.com", "1980-02-01", "28013", "Madrid"]
    job = import_job_create(
        upload=SimpleUploadedFile("people.csv", spanish_csv([row], header)),
        by=admin_user,
        start=False,
    )
    assert list(job.mapping.values()) == [
        "first_name",
        "last_name",
        "email",
        "birth_date",
        "postal_code",
        "city",
    ]


def test_the_preview_marks_each_invalid_cell_with_the_import_s_own_message(job):
    preview = forecast.import_preview_check(job=job)
    assert preview.mapping_error == ""
    assert [r.number for r in preview.rows] == [2, 3, 4, 5, 6, 7]
    assert [r.outcome for r in preview.rows] == [
        "create",
        "reject",
        "reject",
        "update",
        "reject",
        "reject",
    ]
    ana, luis, marta, _jose, eva, eva_again = preview.rows
    assert all(not c.problems for c in ana.cells)
    bad = {HEADER[i]: c.problems for i, c in enumerate(luis.cells) if c.problems}
    assert set(bad) == {"DNI", "Email"}
    assert "check letter" in bad["DNI"][0]
    bad = {HEADER[i]: c.problems for i, c in enumerate(marta.cells) if c.problems}
    assert set(bad) == {"Fecha de nacimiento"} and "31/02/1990" in bad["Fecha de nacimiento"][0]
    assert [HEADER[i] for i, c in enumerate(eva.cells) if c.problems] == ["Saldo"]
    # A problem of the file, not of a cell: the same DNI as row 2.
    assert "Row 2" in eva_again.cells[2].problems[0]


def test_the_preview_follows_the_mapping_on_screen_and_says_what_is_missing(job):
    mapping = {**job.mapping, "DNI": "", "Email": ""}
    preview = forecast.import_preview_check(job=job, mapping=mapping)
    assert "No column identifies the customer" in preview.mapping_error
    # Without the DNI column, Luis's faulty DNI is no longer a problem.
    assert not any(c.problems for c in preview.rows[1].cells[2:3])
    # An unknown field posted by hand is ignored, not an error.
    preview = forecast.import_preview_check(job=job, mapping={**job.mapping, "DNI": "nope"})
    assert "No column identifies" not in preview.mapping_error


def test_the_dry_run_counts_what_the_import_then_does_and_writes_nothing(
    job, admin_user, django_capture_on_commit_callbacks
):
    before = Customer.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        forecast.import_job_dry_run_start(job=job, mapping=job.mapping, by=admin_user)
    job.refresh_from_db()
    dry = job.dry_run
    assert dry["status"] == "done" and (dry["total"], dry["processed"]) == (6, 6)
    assert (dry["create"], dry["update"], dry["unchanged"], dry["reject"]) == (1, 1, 0, 4)
    assert {(p["row"], p["column"], p["value"]) for p in dry["problems"]} >= {
        (3, "DNI", "12345678A"),
        (3, "Email", "luis@@example.com"),
        (4, "Fecha de nacimiento", "31/02/1990"),
        (6, "Saldo", "mucho"),
    }
    assert Customer.objects.count() == before and job.queued_at is None

    import_job_start(job=job, mapping=job.mapping, by=admin_user)
    job = import_job_run(job_id=job.pk)
    assert (job.created_count, job.updated_count, job.unchanged_count, job.rejected_count) == (
        1,
        1,
        0,
        4,
    )
    ana = Customer.objects.get(first_name="Ana")
    assert ana.custom_fields == {"saldo": "1234.56"}
    assert Customer.objects.get(first_name="José").custom_fields == {"saldo": "-7.25"}

    # The error file: the original row, then row, column, value and reason.
    from panorama.customers.imports.services.report import import_rejected_csv

    text = "".join(import_rejected_csv(job=job)).lstrip("\ufeff")
    report = list(csv.reader(io.StringIO(text)))
    assert report[0] == [*HEADER, "Row", "Column", "Value", "Problems"]
    luis = report[1]
    assert luis[:6] == ROWS[1] and luis[6:9] == ["3", "DNI; Email", "12345678A; luis@@example.com"]
    assert "check letter" in luis[9]


def test_a_dry_run_of_an_unchanged_file_counts_unchanged_rows(
    admin_user, saldo, django_capture_on_commit_callbacks
):
    content = spanish_csv([ROWS[0]])
    first = import_job_create(
        upload=SimpleUploadedFile("a.csv", content), by=admin_user, start=True
    )
    import_job_run(job_id=first.pk)
    again = import_job_create(
        upload=SimpleUploadedFile("a.csv", content), by=admin_user, start=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        forecast.import_job_dry_run_start(job=again, mapping=None, by=admin_user)
    again.refresh_from_db()
    assert (again.dry_run["create"], again.dry_run["unchanged"]) == (0, 1)


def test_a_dry_run_is_refused_without_a_name_or_after_the_import_started(job, admin_user):
    with pytest.raises(ValidationFailed, match="name"):
        forecast.import_job_dry_run_start(
            job=job, mapping={"Nombre": "", "Apellidos": ""}, by=admin_user
        )
    import_job_start(job=job, mapping=job.mapping, by=admin_user)
    with pytest.raises(Conflict):
        forecast.import_job_dry_run_start(job=job, mapping=None, by=admin_user)


def test_a_superseded_dry_run_stops_and_leaves_the_newer_one(job, admin_user):
    forecast.import_job_dry_run_start(job=job, mapping=None, by=admin_user)  # not executed
    old = ImportJob.objects.get(pk=job.pk).dry_run["run"]
    forecast.import_job_dry_run_start(job=job, mapping=None, by=admin_user)
    new = ImportJob.objects.get(pk=job.pk).dry_run["run"]
    forecast.import_job_dry_run(job_id=job.pk, run=old)
    assert ImportJob.objects.get(pk=job.pk).dry_run == {
        **ImportJob.objects.get(pk=job.pk).dry_run,
        "run": new,
        "status": "running",
    }


def test_wizard_pages_preview_and_dry_run(
    client, job, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    url = reverse("customers:import_mapping", args=[job.pk])
    page = client.get(url).content.decode()
    assert page.count("data-invalid") == 5  # DNI, e-mail, date, Saldo, the repeated DNI
    assert "4 rows would be rejected" in page and "Not run yet" in page

    # A changed select redraws the preview (HTMX) for that mapping.
    fields = {f"col-{i}": job.mapping[h] for i, h in enumerate(HEADER)}
    r = client.post(
        reverse("customers:import_preview", args=[job.pk]),
        {**fields, "col-2": ""},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and 'id="import-preview"' in r.content.decode()
    assert "check letter" not in r.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {**fields, "action": "dry_run"})
    assert r.status_code == 302 and r.url.endswith("#dry-run")
    page = client.get(reverse("customers:import_dry_run", args=[job.pk])).content.decode()
    assert 'data-count="create">1<' in page and 'data-count="reject">4<' in page
    assert "every 1s" not in page
    # A changed mapping makes the counts stale: they are not shown for it.
    ImportJob.objects.filter(pk=job.pk).update(mapping={**job.mapping, "Email": ""})
    assert "Not run yet" in client.get(url).content.decode()


def test_another_user_s_import_is_not_found(client, job):
    client.force_login(UserFactory(username="other"))
    for name in ("import_dry_run", "import_mapping"):
        assert client.get(reverse(f"customers:{name}", args=[job.pk])).status_code == 404
    assert client.post(reverse("customers:import_preview", args=[job.pk])).status_code == 404


def test_the_checked_preview_costs_a_few_queries_whatever_its_rows(
    client, admin_user, saldo, django_assert_max_num_queries
):
    rows = [
        [f"Nombre{i}", "Apellido", "", f"persona{i}@example.com", "", f"{i},5"] for i in range(40)
    ]
    rows[3][3] = "no-es-un-correo"
    job = import_job_create(
        upload=SimpleUploadedFile("muchos.csv", spanish_csv(rows)), by=admin_user, start=False
    )
    client.force_login(admin_user)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("customers:import_mapping", args=[job.pk])).content.decode()
    assert page.count("<tr data-row=") == 20 and page.count("data-invalid") == 1


def test_an_excel_workbook_is_previewed_and_checked_the_same_way(admin_user, saldo):
    from .import_files import xlsx_bytes

    job = import_job_create(
        upload=SimpleUploadedFile("clientes.xlsx", xlsx_bytes(ROWS[:2], header=HEADER)),
        by=admin_user,
        start=False,
    )
    preview = forecast.import_preview_check(job=job)
    assert [r.outcome for r in preview.rows] == ["create", "reject"]
    assert [HEADER[i] for i, c in enumerate(preview.rows[1].cells) if c.problems] == [
        "DNI",
        "Email",
    ]
