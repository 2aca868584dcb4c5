"""Rows without any identifier: importing a file again must not create them twice.

Such a row is matched on the name, with the birth date and postal code when present,
and only among the customers the importer sees.
"""

import pytest

from panorama.customers.imports.services.jobs import import_file_sync
from panorama.customers.models import Customer
from tests.factories import AddressFactory, CustomerFactory, TeamFactory

from .import_files import csv_bytes

HEADER = ["Nombre", "Apellidos", "Email", "Fecha de nacimiento", "Código postal", "Notas"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(tmp_path, rows, by, name="clientes.csv"):
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows, header=HEADER))
    return import_file_sync(path=path, by=by)


ROWS = [
    ["Ana", "García", "", "14/03/1980", "28013", ""],  # name, birth date and postal code
    ["Luis", "Pérez", "", "", "41004", ""],  # name and postal code
    ["Marta", "Ruiz", "", "", "", ""],  # a name only
]


def test_importing_the_same_file_twice_creates_nothing_the_second_time(tmp_path, admin_user):
    first = run(tmp_path, ROWS, admin_user)
    assert (first.created_count, first.rejected_count) == (3, 0)

    again = run(tmp_path, ROWS, admin_user, name="otra-vez.csv")

    assert Customer.objects.count() == 3
    assert (again.created_count, again.unchanged_count, again.rejected_count) == (0, 1, 2)
    assert again.possible_duplicate_count == 2
    errors = {e.row_number: e.message for e in again.row_errors.all()}
    luis = Customer.objects.get(first_name="Luis")
    assert errors[3].startswith(f"Possible duplicate of Luis Pérez (#{luis.pk})")
    assert "add an identifier" in errors[4]


def test_same_name_birth_date_and_postal_code_updates_that_customer(tmp_path, admin_user):
    run(tmp_path, ROWS[:1], admin_user)
    job = run(tmp_path, [["Ana", "García", "", "14/03/1980", "28013", "VIP"]], admin_user, "2.csv")

    assert (job.created_count, job.updated_count, job.rejected_count) == (0, 1, 0)
    assert Customer.objects.get().notes == "VIP"


def test_a_namesake_with_another_birth_date_or_postal_code_is_someone_else(tmp_path, admin_user):
    ana = CustomerFactory(first_name="Ana", last_name="García", birth_date="1980-03-14")
    AddressFactory(customer=ana, postal_code="28013")
    rows = [
        ["Ana", "García", "", "01/01/1990", "28013", ""],  # born another day
        ["Ana", "García", "", "", "08001", ""],  # lives elsewhere
    ]
    job = run(tmp_path, rows, admin_user)
    assert (job.created_count, job.rejected_count) == (2, 0)


def test_the_same_person_twice_in_one_file_is_reported(tmp_path, admin_user):
    job = run(tmp_path, [ROWS[2], ROWS[2]], admin_user)
    assert (job.created_count, job.rejected_count) == (1, 1)
    assert "Row 2 of this file is the same customer" in job.row_errors.get().message


def test_customers_outside_the_importers_scope_are_never_matched_nor_named(tmp_path, rep):
    other_team = TeamFactory(name="Barcelona")
    hidden = CustomerFactory(first_name="Marta", last_name="Ruiz", team=other_team, owner=None)
    mine = CustomerFactory(first_name="Luis", last_name="Pérez", team=rep.teams.get(), owner=rep)
    AddressFactory(customer=mine, postal_code="41004")

    job = run(tmp_path, ROWS[1:], rep)

    # Marta (out of his scope) answers as if she did not exist: created, nothing said;
    # Luis, whom he sees, is reported as a possible duplicate.
    assert (job.created_count, job.rejected_count, job.possible_duplicate_count) == (1, 1, 1)
    message = job.row_errors.get().message
    assert f"#{mine.pk}" in message and f"#{hidden.pk}" not in message
    assert Customer.objects.filter(first_name="Marta").count() == 2
