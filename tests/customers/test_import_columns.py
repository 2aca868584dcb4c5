"""Import: every optional column a file may carry lands where it belongs, birth dates in
the ways people write them, on new customers and on customers the file updates."""

import datetime

import pytest

from panorama.customers.imports.services.jobs import import_file_sync
from panorama.customers.models import Customer
from tests.factories import CustomerFactory, CustomFieldDefinitionFactory, IdentityFactory

from .import_files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

# Every column the import knows, with the headers a Spanish file uses, and a custom field.
HEADER = [
    "Tipo",
    "Nombre",
    "Apellidos",
    "Razón social",
    "DNI/NIE/CIF",
    "Código cliente",
    "Email",
    "Teléfono",
    "Teléfono fijo",
    "Tarjeta",
    "Dirección",
    "Código postal",
    "Ciudad",
    "Provincia",
    "País",
    "Fecha de nacimiento",
    "Estado",
    "Notas",
    "Segmento",
]
ANA = [
    "Particular",
    "Ana",
    "García López",
    "",
    "12345678Z",
    "ERP-001",
    "Ana@Example.com",
    "600 11 22 33",
    "91 123 45 67",
    "1234-5678-9012",
    "Calle Mayor 1, 3º B",
    "28013",
    "Madrid",
    "Madrid",
    "ES",
    "29/02/1980",
    "Activo",
    "Prefiere que la llamen por la tarde",
    "oro",
]
ACME = [
    "Empresa",
    "",
    "",
    "Acme Ibérica SL",
    "B12345674",
    "ERP-002",
    "info@acme.example",
    "",
    "",
    "",
    "Polígono Sur, nave 4",
    "41010",
    "Sevilla",
    "Sevilla",
    "ES",
    "",
    "Prospecto",
    "",
    "",
]
JORDI = [
    "",
    "Jordi",
    "Puig",
    "",
    "X1234567L",
    "",
    "",
    "622334455",
    "",
    "",
    "Carrer de Balmes 10",
    "08001",
    "Barcelona",
    "Barcelona",
    "",
    "1975-12-01",
    "baja",
    "",
    "",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def segment(db):
    return CustomFieldDefinitionFactory(key="segmento", label="Segmento")


def run(tmp_path, content: bytes, by, name="clientes.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return import_file_sync(path=path, by=by)


def _check_every_column(ana: Customer, acme: Customer, jordi: Customer):
    assert (ana.kind, ana.first_name, ana.last_name) == ("person", "Ana", "García López")
    assert ana.birth_date == datetime.date(1980, 2, 29)
    assert ana.status == "active"
    assert ana.notes == "Prefiere que la llamen por la tarde"
    assert ana.custom_fields == {"segmento": "oro"}
    assert set(ana.identities.values_list("kind", "value", "is_primary")) == {
        ("national_id", "12345678Z", True),
        ("external_id", "ERP-001", True),
        ("email", "ana@example.com", True),
        ("phone", "+34600112233", True),  # the first phone column is the primary one
        ("phone", "+34911234567", False),
        ("loyalty_card", "123456789012", True),
    }
    address = ana.addresses.get()
    assert (address.line1, address.postal_code, address.city, address.region) == (
        "Calle Mayor 1, 3º B",
        "28013",
        "Madrid",
        "Madrid",
    )
    assert address.country == "ES" and address.is_primary

    assert (acme.kind, acme.display_name, acme.status) == (
        "organisation",
        "Acme Ibérica SL",
        "prospect",
    )
    assert acme.birth_date is None and acme.custom_fields == {}
    assert set(acme.identities.values_list("kind", "value")) == {
        ("national_id", "B12345674"),
        ("external_id", "ERP-002"),
        ("email", "info@acme.example"),
    }

    assert jordi.kind == "person"  # no kind given: a person, having a first name
    assert jordi.birth_date == datetime.date(1975, 12, 1)
    assert jordi.status == "inactive"
    address = jordi.addresses.get()  # no country given: Spain
    assert (address.line1, address.postal_code, address.city, address.country) == (
        "Carrer de Balmes 10",
        "08001",
        "Barcelona",
        "ES",
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_optional_column_lands_on_the_new_customer(tmp_path, admin_user, segment, fmt):
    rows = [ANA, ACME, JORDI]
    content = csv_bytes(rows, header=HEADER) if fmt == "csv" else xlsx_bytes(rows, header=HEADER)
    job = run(tmp_path, content, admin_user, name=f"clientes.{fmt}")

    assert (job.status, job.created_count, job.rejected_count) == ("done", 3, 0), list(
        job.row_errors.values_list("message", flat=True)
    )
    _check_every_column(
        Customer.objects.get(first_name="Ana"),
        Customer.objects.get(legal_name="Acme Ibérica SL"),
        Customer.objects.get(first_name="Jordi"),
    )


@pytest.mark.parametrize(
    "written, read",
    [
        ("29/02/1980", datetime.date(1980, 2, 29)),
        ("1/2/1980", datetime.date(1980, 2, 1)),
        ("01-02-1980", datetime.date(1980, 2, 1)),
        ("01.02.1980", datetime.date(1980, 2, 1)),
        ("1980-02-01", datetime.date(1980, 2, 1)),
        ("1980-02-01 00:00:00", datetime.date(1980, 2, 1)),  # a spreadsheet's date cell as text
    ],
)
def test_birth_dates_as_people_write_them(tmp_path, admin_user, written, read):
    header = ["Nombre", "Apellidos", "DNI", "Fecha de nacimiento"]
    job = run(
        tmp_path, csv_bytes([["Ana", "Ruiz", "12345678Z", written]], header=header), admin_user
    )
    assert (job.created_count, job.rejected_count) == (1, 0)
    assert Customer.objects.get().birth_date == read


@pytest.mark.parametrize("written", ["31/02/1980", "1980-13-01", "ayer", "29/02/1981"])
def test_a_birth_date_that_is_not_a_date_rejects_its_row_and_says_why(
    tmp_path, admin_user, written
):
    header = ["Nombre", "Apellidos", "DNI", "Fecha de nacimiento"]
    rows = [["Ana", "Ruiz", "12345678Z", written], ["Luis", "Gil", "87654321X", "02/03/1990"]]
    job = run(tmp_path, csv_bytes(rows, header=header), admin_user)

    assert (job.created_count, job.rejected_count) == (1, 1)
    error = job.row_errors.get()
    assert error.row_number == 2 and written in error.message
    assert not Customer.objects.filter(first_name="Ana").exists()
    assert Customer.objects.get().birth_date == datetime.date(1990, 3, 2)


def test_a_birth_date_in_the_file_fills_an_existing_customer_and_a_blank_keeps_it(
    tmp_path, admin_user
):
    known = CustomerFactory(first_name="Ana", last_name="Ruiz", birth_date=None)
    IdentityFactory(customer=known, kind="national_id", value="12345678Z")
    dated = CustomerFactory(
        first_name="Luis", last_name="Gil", birth_date=datetime.date(1990, 3, 2)
    )
    IdentityFactory(customer=dated, kind="national_id", value="87654321X")
    header = ["Nombre", "Apellidos", "DNI", "Fecha de nacimiento", "Notas"]
    rows = [
        ["Ana", "Ruiz", "12345678Z", "29/02/1980", ""],
        ["Luis", "Gil", "87654321X", "", "Cliente desde 2010"],
    ]
    job = run(tmp_path, csv_bytes(rows, header=header), admin_user)

    assert (job.created_count, job.updated_count, job.rejected_count) == (0, 2, 0)
    known.refresh_from_db()
    dated.refresh_from_db()
    assert known.birth_date == datetime.date(1980, 2, 29)
    assert dated.birth_date == datetime.date(1990, 3, 2)  # a blank cell changes nothing
    assert dated.notes == "Cliente desde 2010"
