"""Customer import through the REST API, and through the real background worker."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from panorama.customers.models import Customer, ImportJob
from tests.factories import UserFactory

from .import_files import ROWS_ES, csv_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def post_file(api, content, name="clientes.csv", **form):
    return api.post("/imports", data={"file": SimpleUploadedFile(name, content), **form})


def test_upload_runs_the_import_and_reports_bad_rows(api, django_capture_on_commit_callbacks):
    rows = [*ROWS_ES, ["Luis", "Pérez", "12345678A", "", "", "", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        r = post_file(api, csv_bytes(rows, delimiter=";"))
    assert r.status_code == 202, r.content
    job_id = r.json()["id"]
    assert r.json()["delimiter"] == ";"

    r = api.get(f"/imports/{job_id}")
    body = r.json()
    assert (body["status"], body["created_count"], body["rejected_count"], body["progress"]) == (
        "done",
        3,
        1,
        100,
    )

    r = api.get(f"/imports/{job_id}/report")
    assert r.json()["errors"] == [
        {
            "row_number": 5,
            "field": "DNI",
            "message": "12345678A is not a valid DNI/NIE/CIF: its check letter or digit is wrong.",
            "problems": [
                {
                    "field": "DNI",
                    "message": (
                        "12345678A is not a valid DNI/NIE/CIF: its check letter or digit is wrong."
                    ),
                }
            ],
            "cells": ["Luis", "Pérez", "12345678A", "", "", "", "", ""],
            "raw": {
                "Nombre": "Luis",
                "Apellidos": "Pérez",
                "DNI": "12345678A",
                "Teléfono": "",
                "Email": "",
                "Dirección": "",
                "Código postal": "",
                "Ciudad": "",
            },
        }
    ]
    r = api.get(f"/imports/{job_id}/report?format=csv")
    assert r["Content-Type"].startswith("text/csv")
    assert (
        "Luis,Pérez,12345678A,,,,,,5,DNI,12345678A,12345678A is not a valid"
        in r.getvalue().decode()
    )


def test_mapping_form_field_and_missing_columns(api):
    content = csv_bytes([["Ana", "X-1"]], header=["Cliente", "Ref"])
    r = post_file(api, content)
    assert r.status_code == 422
    assert r.json()["errors"] == {"mapping": [r.json()["detail"]]}
    r = post_file(api, content, mapping=json.dumps({"Cliente": "first_name", "Ref": "external_id"}))
    assert r.status_code == 202, r.content
    assert r.json()["mapping"] == {"Cliente": "first_name", "Ref": "external_id"}
    r = post_file(api, content, mapping="{not json")
    assert r.status_code == 422 and "JSON" in r.json()["detail"]


def test_oversized_upload_is_a_413_with_the_limit(api, settings):
    settings.PANORAMA_MAX_IMPORT_BYTES = 1024
    r = post_file(api, csv_bytes(ROWS_ES * 20))
    assert r.status_code == 413
    assert "1.0\xa0KB" in r.json()["detail"]
    assert not ImportJob.objects.exists()


def test_undo_through_the_api(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = post_file(api, csv_bytes(ROWS_ES)).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/imports/{job_id}/undo")
    assert r.status_code == 202 and r.json()["status"] == "undoing"  # runs as a task
    assert api.get(f"/imports/{job_id}").json()["status"] == "undone"
    assert not Customer.objects.exists()
    r = api.post(f"/imports/{job_id}/undo")
    assert r.status_code == 409


def test_jobs_are_visible_to_their_creator_and_admins(
    api, api_as, rep, django_assert_max_num_queries
):
    analyst = UserFactory(role="analyst")
    assert post_file(api_as(analyst), csv_bytes(ROWS_ES)).status_code == 403
    rep_api = api_as(rep)
    rep_job = post_file(rep_api, csv_bytes(ROWS_ES)).json()["id"]
    admin_job = post_file(api, csv_bytes(ROWS_ES)).json()["id"]

    assert rep_api.get(f"/imports/{admin_job}").status_code == 404
    assert [j["id"] for j in rep_api.get("/imports").json()] == [rep_job]
    with django_assert_max_num_queries(6):
        listed = api.get("/imports").json()
    assert [j["id"] for j in listed] == [admin_job, rep_job]
    assert listed[1]["created_by"] == "rep"


@pytest.mark.django_db(transaction=True)
def test_real_database_worker_runs_the_import(settings, client):
    from panorama.customers.imports.services.jobs import import_job_create

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    admin = UserFactory(username="boss", role="admin", is_superuser=True)
    rows = [*ROWS_ES, ["Luis", "Pérez", "12345678A", "", "", "", "", ""]]
    job = import_job_create(upload=SimpleUploadedFile("c.csv", csv_bytes(rows)), by=admin)
    job.refresh_from_db()
    assert job.status == "pending" and job.queued_at is not None

    call_command(
        "db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0
    )

    job.refresh_from_db()
    assert (job.status, job.created_count, job.updated_count, job.rejected_count) == (
        "done",
        3,
        0,
        1,
    )
    assert Customer.objects.count() == 3
