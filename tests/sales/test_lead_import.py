import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.sales.models import AssignmentRule, Lead, LeadImport
from panorama.sales.services.lead import lead_status_change
from panorama.sales.services.lead_import import (
    lead_import_create,
    lead_import_rejected_csv,
    lead_import_undo,
)
from panorama.sales.services.lead_import_jobs import lead_import_start
from tests.customers.import_files import csv_bytes, xlsx_bytes

from ..factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "Nombre",
    "Apellidos",
    "Empresa",
    "Cargo",
    "Correo electrónico",
    "Teléfono",
    "CP",
    "Notas",
]
ROWS = [
    ["Eva", "Soto", "Acme SL", "Directora", "eva@acme.es", "600112233", "28001", "Feria"],
    [  # three bad fields: all three reported
        "Luis",
        "Gil",
        "",
        "Responsable de compras, logística, almacén y atención al cliente de las "
        "delegaciones de Levante y del Sur",
        "no-es-correo",
        "600 112 233 / 600 445 566 / 911 223 344 (tardes)",
        "08001",
        "",
    ],
    ["", "", "", "", "", "", "", "solo notas"],
    ["Ana", "Ruiz", "Beta SA", "CEO", "ana@beta.es", "", "46001", ""],
]


def _upload(content: bytes, name="leads.csv"):
    return SimpleUploadedFile(name, content)


def test_import_maps_the_spanish_headers_reports_and_undoes(rep, emitted, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = lead_import_create(by=rep, upload=_upload(csv_bytes(ROWS, header=HEADER)))
    assert job.total_rows == 4
    assert job.mapping == {
        "Nombre": "first_name",
        "Apellidos": "last_name",
        "Empresa": "company",
        "Cargo": "job_title",
        "Correo electrónico": "email",
        "Teléfono": "phone",
        "CP": "postal_code",
        "Notas": "notes",
    }
    with emitted() as events:  # the task runs after the commit (immediate backend)
        lead_import_start(by=rep, import_id=job.pk, mapping=job.mapping)
    job.refresh_from_db()
    assert (job.created_count, job.rejected_count, job.status) == (2, 2, "done")
    assert not job.file, "the stored file is deleted once read"
    eva = Lead.objects.get(email="eva@acme.es")
    assert (eva.source, eva.owner, eva.data, eva.lead_import) == (
        "import",
        rep,
        {"postal_code": "28001"},
        job,
    )
    assert events[-1] == (
        "lead.imported",
        {"import_id": job.pk, "created": 2, "rejected": 2, "by": rep.pk},
    )
    luis = job.rejected_rows.get(row_number=3)
    assert [p["field"] for p in luis.problems] == ["Cargo", "Correo electrónico", "Teléfono"]
    report = list(csv.reader(io.StringIO("".join(lead_import_rejected_csv(job=job)))))
    assert report[0][len(HEADER) :] == ["Row", "Column", "Value", "Problems"]
    assert report[1][: len(HEADER)] == ROWS[1], "the row as read, to fix and import again"
    row, columns, values, reasons = report[1][len(HEADER) :]
    assert row == "3"
    assert columns.split("; ") == ["Cargo", "Correo electrónico", "Teléfono"]
    assert values.split("; ") == [ROWS[1][3], ROWS[1][4], ROWS[1][5]]
    reasons_listed = reasons.split("; ")
    assert len(reasons_listed) == 3
    assert "at most 100 characters" in reasons_listed[0]
    assert "no-es-correo is not a valid e-mail address" in reasons_listed[1]
    assert "at most 40 characters" in reasons_listed[2]
    assert report[2][len(HEADER) : len(HEADER) + 2] == ["4", "Apellidos"]
    assert "A lead needs a name" in report[2][-1]

    lead_status_change(by=rep, lead_id=eva.pk, status="working")
    job = lead_import_undo(by=rep, import_id=job.pk)
    assert (job.undo_deleted_count, job.undo_kept_count) == (1, 1)
    assert list(Lead.objects.all()) == [eva], "the lead someone worked on stays"
    with pytest.raises(Conflict):
        lead_import_undo(by=rep, import_id=job.pk)


def test_xlsx_and_assignment_by_rules(rep, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    team = TeamFactory(name="Inbound")
    ana = UserFactory(username="ana", teams=[team])
    AssignmentRule.objects.create(name="Inbound", kind="round_robin", team=team)
    job = lead_import_create(
        by=rep, upload=_upload(xlsx_bytes(ROWS[:1], header=HEADER), name="leads.xlsx")
    )
    with django_capture_on_commit_callbacks(execute=True):
        lead_import_start(by=rep, import_id=job.pk, mapping=job.mapping, assign_by_rules=True)
    assert Lead.objects.get().owner == ana


def test_bad_files_and_mappings_are_refused(rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationFailed) as error:
        lead_import_create(by=rep, upload=_upload(b"%PDF-1.4", name="leads.pdf"))
    assert error.value.field == "file"
    settings.PANORAMA_LEAD_IMPORT_MAX_ROWS = 2
    with pytest.raises(ValidationFailed) as error:
        lead_import_create(by=rep, upload=_upload(csv_bytes(ROWS, header=HEADER)))
    assert "at most 2" in str(error.value.message)
    settings.PANORAMA_LEAD_IMPORT_MAX_ROWS = 100
    job = lead_import_create(by=rep, upload=_upload(csv_bytes(ROWS, header=HEADER)))
    with pytest.raises(ValidationFailed) as error:
        lead_import_start(by=rep, import_id=job.pk, mapping={"Notas": "notes"})
    assert error.value.field == "mapping"
    with pytest.raises(ValidationFailed):
        lead_import_start(by=rep, import_id=job.pk, mapping={"Nombre": "email", "CP": "email"})
    assert not Lead.objects.exists()
    assert LeadImport.objects.get().status == "mapping"


def test_the_wizard_pages(client, rep, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(rep)
    assert client.get(reverse("sales:lead_import")).status_code == 200
    answer = client.post(
        reverse("sales:lead_import"), {"file": _upload(csv_bytes(ROWS, header=HEADER))}
    )
    job = LeadImport.objects.get()
    assert answer.status_code == 302
    page = client.get(answer.url).content.decode()
    assert "Correo electrónico" in page and "eva@acme.es" in page
    # By the file's column order (PostgreSQL's jsonb keeps no key order).
    mapping = {f"map-{i}": job.mapping.get(h, "") for i, h in enumerate(job.headers)}
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(answer.url, mapping)
    assert done.status_code == 302
    report = client.get(answer.url).content.decode()
    assert "Rejected rows" in report and "Undo this import" in report
    csv_answer = client.get(reverse("sales:lead_import_rejected", args=[job.pk]))
    assert b"no-es-correo" in b"".join(csv_answer.streaming_content)
    client.post(reverse("sales:lead_import_undo", args=[job.pk]))
    assert not Lead.objects.exists()
    other = UserFactory(username="other")
    client.force_login(other)
    assert client.get(reverse("sales:lead_import_detail", args=[job.pk])).status_code == 404


def test_the_api_uploads_runs_reports_and_undoes(
    api_as, rep, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    api = api_as(rep)
    upload = SimpleUploadedFile("leads.csv", csv_bytes(ROWS, header=HEADER))
    made = api.client.post(
        "/api/v1/lead-imports",
        {"file": upload},
        headers={"Authorization": f"Bearer {api.key}"},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["status"] == "mapping" and body["mapping"]["Correo electrónico"] == "email"
    refused = api.post(f"/lead-imports/{body['id']}/run", json={"mapping": {"Nope": "email"}})
    assert refused.status_code == 422 and "mapping" in refused.json()["errors"]
    with django_capture_on_commit_callbacks(execute=True):
        ran = api.post(f"/lead-imports/{body['id']}/run", json={"mapping": body["mapping"]})
    assert ran.status_code == 202, ran.content
    assert ran.json()["status"] == "queued"
    report = api.get(f"/lead-imports/{body['id']}").json()
    assert (report["status"], report["processed_rows"], report["total_rows"]) == ("done", 4, 4)
    assert (report["created_count"], report["rejected_count"]) == (2, 2)
    assert [r["row_number"] for r in report["rejected_rows"]] == [3, 4]
    again = api.post(f"/lead-imports/{body['id']}/run", json={"mapping": body["mapping"]})
    assert again.status_code == 409
    undone = api.post(f"/lead-imports/{body['id']}/undo").json()
    assert undone["status"] == "undone" and not Lead.objects.exists()
    other = api_as(UserFactory(username="other"))
    assert other.get(f"/lead-imports/{body['id']}").status_code == 404
