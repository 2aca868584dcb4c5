"""The import wizard: upload, review the mapping, follow progress, read the report, undo."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from panorama.customers.models import Customer, ImportJob

from .import_files import ROWS_ES, csv_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def test_wizard_from_upload_to_undo(signed_in, django_capture_on_commit_callbacks):
    rows = [*ROWS_ES, ["Luis", "Pérez", "12345678A", "", "", "", "", ""]]
    r = signed_in.post(
        reverse("customers:imports"), {"file": SimpleUploadedFile("clientes.csv", csv_bytes(rows))}
    )
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r.url == reverse("customers:import_mapping", args=[job.pk])
    assert job.queued_at is None and not Customer.objects.exists()

    r = signed_in.get(r.url)
    page = r.content.decode()
    assert 'name="col-2"' in page and '<option value="national_id" selected>' in page
    assert "87654321X" in page  # the preview shows the first rows

    fields = {
        f"col-{i}": t
        for i, t in enumerate(
            [
                "first_name",
                "last_name",
                "national_id",
                "phone",
                "email",
                "address",
                "postal_code",
                "city",
            ]
        )
    }
    with django_capture_on_commit_callbacks(execute=True):
        r = signed_in.post(reverse("customers:import_mapping", args=[job.pk]), fields)
    assert r.status_code == 302 and r.url == reverse("customers:import_detail", args=[job.pk])

    r = signed_in.get(r.url)
    page = r.content.decode()
    assert 'data-count="created">3<' in page and 'data-count="rejected">1<' in page
    assert "check letter" in page and "Undo this import" in page
    assert "every 1s" not in page  # finished: no more polling

    with django_capture_on_commit_callbacks(execute=True):
        r = signed_in.post(reverse("customers:import_undo", args=[job.pk]), follow=True)
    assert "undo of the import has started" in r.content.decode()
    r = signed_in.get(reverse("customers:import_detail", args=[job.pk]))
    assert "This import was undone" in r.content.decode()
    assert not Customer.objects.exists()


def test_progress_partial_polls_while_the_job_waits(signed_in, admin_user):
    from panorama.customers.imports.services.jobs import import_job_create

    job = import_job_create(upload=SimpleUploadedFile("c.csv", csv_bytes(ROWS_ES)), by=admin_user)
    r = signed_in.get(
        reverse("customers:import_detail", args=[job.pk]), headers={"HX-Request": "true"}
    )
    page = r.content.decode()
    assert not page.lstrip().startswith("<!doctype")
    assert 'hx-trigger="every 1s"' in page and "0 of 0 rows processed" in page


def test_mapping_without_a_name_column_shows_the_error(signed_in):
    signed_in.post(
        reverse("customers:imports"), {"file": SimpleUploadedFile("c.csv", csv_bytes(ROWS_ES))}
    )
    job = ImportJob.objects.get()
    r = signed_in.post(
        reverse("customers:import_mapping", args=[job.pk]),
        {"col-0": "", "col-1": "", "col-2": "national_id"},
    )
    assert r.status_code == 422
    assert "No column gives the customer&#x27;s name" in r.content.decode()
    job.refresh_from_db()
    assert job.queued_at is None


def test_bad_file_is_shown_on_the_upload_step(signed_in):
    r = signed_in.post(reverse("customers:imports"), {"file": SimpleUploadedFile("c.pdf", b"%PDF")})
    assert r.status_code == 422
    assert "neither a CSV nor an Excel" in r.content.decode()
    assert not ImportJob.objects.exists()


def test_past_imports_list_in_bounded_queries(signed_in, admin_user, django_assert_max_num_queries):
    from panorama.customers.imports.services.jobs import import_job_create

    for _ in range(5):
        import_job_create(
            upload=SimpleUploadedFile("c.csv", csv_bytes(ROWS_ES)), by=admin_user, start=False
        )
    with django_assert_max_num_queries(8):
        r = signed_in.get(reverse("customers:imports"))
    assert r.content.decode().count("Columns to review") == 5


def test_other_users_job_is_not_found(client, rep, admin_user):
    from panorama.customers.imports.services.jobs import import_job_create

    job = import_job_create(
        upload=SimpleUploadedFile("c.csv", csv_bytes(ROWS_ES)), by=admin_user, start=False
    )
    client.force_login(rep)
    assert client.get(reverse("customers:import_mapping", args=[job.pk])).status_code == 404
