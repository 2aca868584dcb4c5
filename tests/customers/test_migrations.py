"""Data migrations keep what users already have."""

import pytest

pytestmark = pytest.mark.django_db

BEFORE = [("customers", "0006_fewer_indexes")]
AFTER = [("customers", "0007_import_job_on_customer")]


def test_created_records_of_earlier_imports_move_onto_their_customers(migrate):
    apps = migrate(BEFORE)
    Customer = apps.get_model("customers", "Customer")
    ImportJob = apps.get_model("customers", "ImportJob")
    ImportChange = apps.get_model("customers", "ImportChange")
    job = ImportJob.objects.create(original_name="old.csv", file="imports/old.csv")
    made = Customer.objects.create(display_name="Ana", search_name="ana")
    touched = Customer.objects.create(display_name="Luis", search_name="luis")
    untouched = Customer.objects.create(display_name="Eva", search_name="eva")
    ImportChange.objects.create(job=job, customer=made, action="created")
    ImportChange.objects.create(job=job, customer=touched, action="updated", before={"x": 1})
    apps = migrate(AFTER)
    Customer = apps.get_model("customers", "Customer")
    ImportChange = apps.get_model("customers", "ImportChange")
    # Undo still finds both: the created customer by its job, the updated one's record.
    assert list(Customer.objects.filter(import_job_id=job.pk).values_list("pk", flat=True)) == [
        made.pk
    ]
    assert Customer.objects.get(pk=untouched.pk).import_job_id is None
    assert list(ImportChange.objects.values_list("customer_id", "action")) == [
        (touched.pk, "updated")
    ]

    apps = migrate(BEFORE)  # and back, for whoever downgrades
    ImportChange = apps.get_model("customers", "ImportChange")
    assert set(ImportChange.objects.values_list("customer_id", "action")) == {
        (made.pk, "created"),
        (touched.pk, "updated"),
    }


def test_rejected_rows_of_earlier_imports_keep_their_cells_and_problem(migrate):
    before, after = (
        [("customers", "0013_address_line_optional")],
        [("customers", "0014_import_row_problems")],
    )
    apps = migrate(before)
    ImportJob = apps.get_model("customers", "ImportJob")
    ImportRowError = apps.get_model("customers", "ImportRowError")
    job = ImportJob.objects.create(original_name="old.csv", file="imports/old.csv")
    ImportRowError.objects.create(
        job=job,
        row_number=3,
        field="DNI",
        message="12345678A is not a valid DNI",
        raw={"Nombre": "Luis", "DNI": "12345678A"},
    )
    apps = migrate(after)
    ImportJob = apps.get_model("customers", "ImportJob")
    ImportRowError = apps.get_model("customers", "ImportRowError")
    error = ImportRowError.objects.get()
    headers = ImportJob.objects.get().headers
    # Each value stays under its header. (The column order of rows stored before
    # this migration is the database's: PostgreSQL's jsonb kept no key order.)
    assert dict(zip(headers, error.cells, strict=True)) == {
        "Nombre": "Luis",
        "DNI": "12345678A",
    }
    assert error.problems == [{"field": "DNI", "message": "12345678A is not a valid DNI"}]
