"""Files on a case through the API: uploaded (multipart) with the note or reply they go
with, by the same service and with the same limits and messages as the case page;
listed; downloaded with a safe file name; refused to who may not see or change the
case, and nothing is kept when refused."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.accounts.models import Role
from panorama.service import selectors
from panorama.service.models import CaseAttachment, CaseMessage
from panorama.service.services.case import case_message_add, case_open

from ..factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def agent():
    return UserFactory(username="eva", role=Role.SERVICE_AGENT)


@pytest.fixture
def case(agent):
    ana = CustomerFactory(first_name="Ana", owner=UserFactory(), team=TeamFactory(name="Sur"))
    return case_open(by=agent, customer_id=ana.pk, subject="Factura duplicada")


def _upload(api, case, *files, body="Factura del cliente", **fields):
    return api.post(f"/cases/{case.pk}/files", data={"body": body, "files": list(files), **fields})


def _stored(case) -> list[Path]:
    from django.conf import settings

    folder = Path(settings.MEDIA_ROOT) / "service" / "cases" / str(case.pk)
    return sorted(folder.iterdir()) if folder.exists() else []


def test_an_agent_uploads_files_that_the_case_shows_and_the_api_lists(api_as, agent, case, client):
    response = _upload(
        api_as(agent),
        case,
        SimpleUploadedFile("factura.pdf", PDF, "application/pdf"),
        SimpleUploadedFile("detalle.csv", b"linea;importe\n1;10\n", "text/csv"),
    )
    assert response.status_code == 201, response.content
    note = response.json()
    assert note["kind"] == "note" and note["body"] == "Factura del cliente"
    assert [(f["filename"], f["size"]) for f in note["attachments"]] == [
        ("factura.pdf", len(PDF)),
        ("detalle.csv", 19),
    ]
    assert note["attachments"][0]["content_type"] == "application/pdf"

    listed = api_as(agent).get(f"/cases/{case.pk}/files").json()
    assert [(f["filename"], f["kind"], f["message_id"], f["author_id"]) for f in listed] == [
        ("factura.pdf", "note", note["id"], agent.pk),
        ("detalle.csv", "note", note["id"], agent.pk),
    ]
    client.force_login(agent)
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    pdf_id = note["attachments"][0]["id"]
    assert 'id="case-files"' in page and f"/service/cases/{case.pk}/files/{pdf_id}/" in page
    assert "Factura del cliente" in page and "factura.pdf" in page


def test_a_reply_with_files_is_a_reply(api_as, agent, case):
    response = _upload(
        api_as(agent), case, SimpleUploadedFile("guia.pdf", PDF), kind="reply", body="Adjunto"
    )
    assert response.status_code == 201 and response.json()["kind"] == "reply"
    case.refresh_from_db()
    assert case.first_response_at is not None


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ([("virus.exe", b"MZ")], "virus.exe cannot be attached: only pdf, png"),
        ([("grande.pdf", b"x" * 2048)], "grande.pdf is too large (2.0\xa0KB): at most 1.0\xa0KB"),
        ([(f"f{i}.txt", b"x") for i in range(6)], "Attach at most 5 files to one message."),
    ],
    ids=["type", "size", "count"],
)
def test_a_file_the_rules_refuse_is_a_422_with_the_pages_message_and_nothing_is_kept(
    api_as, agent, case, settings, files, words
):
    settings.PANORAMA_CASE_ATTACHMENT_MAX_BYTES = 1024
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    response = _upload(api_as(agent), case, *uploads)
    assert response.status_code == 422
    assert words in response.json()["detail"]
    assert response.json()["errors"] == {"attachments": [response.json()["detail"]]}
    assert not CaseMessage.objects.filter(case=case).exists()
    assert not CaseAttachment.objects.exists() and _stored(case) == []


def test_the_refusal_is_in_the_users_language(api_as, case):
    spaniard = UserFactory(role=Role.SERVICE_AGENT, language="es")
    response = _upload(api_as(spaniard), case, SimpleUploadedFile("a.exe", b"MZ"))
    assert response.status_code == 422 and "a.exe no se puede adjuntar" in response.json()["detail"]


def test_an_empty_message_or_no_file_is_a_422(api_as, agent, case):
    api = api_as(agent)
    empty = _upload(api, case, SimpleUploadedFile("a.pdf", PDF), body=" ")
    assert empty.status_code == 422 and empty.json()["errors"] == {
        "body": ["A message cannot be empty."]
    }
    no_file = api.post(f"/cases/{case.pk}/files", data={"body": "x"})
    assert no_file.status_code == 422 and "files" in str(no_file.json()["errors"])
    assert not CaseMessage.objects.exists()


def test_a_flood_of_files_or_a_json_body_is_a_4xx(api_as, agent, case):
    api = api_as(agent)
    flood = [SimpleUploadedFile(f"{n}.txt", b"x") for n in range(101)]  # Django's cap: 100
    assert 400 <= _upload(api, case, *flood).status_code < 500
    as_json = api.post(f"/cases/{case.pk}/files", json={"body": "x", "files": ["a.pdf"]})
    assert as_json.status_code == 422
    assert not CaseMessage.objects.exists()


def test_who_may_not_see_or_change_the_case_is_refused(api_as, agent, case):
    rep = UserFactory(role=Role.SALES_REP, teams=[TeamFactory(name="Norte")])
    refused = _upload(api_as(rep), case, SimpleUploadedFile("a.pdf", PDF))
    assert refused.status_code == 404  # as for his other cases' routes: not visible
    assert api_as(rep).get(f"/cases/{case.pk}/files").status_code == 404

    analyst = UserFactory(role=Role.ANALYST)
    read_only = _upload(api_as(analyst), case, SimpleUploadedFile("a.pdf", PDF))
    assert read_only.status_code == 403
    assert read_only.json()["detail"] == "Your role can read cases but not change them."
    assert api_as(analyst).get(f"/cases/{case.pk}/files").status_code == 200
    assert not CaseAttachment.objects.exists() and _stored(case) == []

    note = case_message_add(
        by=agent, case_id=case.pk, kind="note", body="x", attachments=[("a.txt", b"a")]
    )
    file_id = note.attachments.get().pk
    assert api_as(rep).get(f"/cases/{case.pk}/files/{file_id}").status_code == 404


def test_a_download_is_the_bytes_with_a_safe_file_name(api_as, agent, case):
    note = case_message_add(
        by=agent,
        case_id=case.pk,
        kind="note",
        body="x",
        attachments=[('../../Año "2026"; x=1.pdf', PDF)],
    )
    attachment = note.attachments.get()
    assert attachment.filename == 'Año "2026"; x=1.pdf'
    download = api_as(agent).get(f"/cases/{case.pk}/files/{attachment.pk}")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    # Never inline (the browser would render it in our origin), the name percent-encoded.
    assert download["Content-Disposition"] == (
        "attachment; filename*=utf-8''A%C3%B1o%20%222026%22%3B%20x%3D1.pdf"
    )
    assert download["X-Content-Type-Options"] == "nosniff"


def test_the_list_reads_in_the_same_queries_however_many_files(api_as, agent, case):
    api = api_as(agent)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"/cases/{case.pk}/files").status_code == 200
        return len(captured)

    case_message_add(by=agent, case_id=case.pk, body="1", kind="note", attachments=[("a.txt", b"")])
    queries()  # the first call also records the token's use
    few = queries()
    for n in range(3):
        case_message_add(
            by=agent,
            case_id=case.pk,
            body=str(n),
            kind="note",
            attachments=[(f"b{n}.txt", b"b"), (f"c{n}.pdf", PDF)],
        )
    assert queries() == few


def test_the_selector_reads_a_cases_files_in_one_query(agent, case, django_assert_num_queries):
    for n in range(3):
        case_message_add(
            by=agent, case_id=case.pk, body=str(n), kind="note", attachments=[(f"{n}.txt", b"")]
        )
    with django_assert_num_queries(1):
        files = selectors.case_attachments(case=case)
        authors = {f.message.author.username for f in files}
    assert authors == {"eva"} and [f.filename for f in files] == ["0.txt", "1.txt", "2.txt"]


def test_a_file_missing_from_storage_is_a_404_naming_it(api_as, agent, case):
    note = case_message_add(
        by=agent, case_id=case.pk, kind="note", body="x", attachments=[("acta.pdf", PDF)]
    )
    attachment = note.attachments.get()
    attachment.file.storage.delete(attachment.file.name)
    response = api_as(agent).get(f"/cases/{case.pk}/files/{attachment.pk}")
    assert response.status_code == 404
    assert response.json()["detail"] == (
        "The file acta.pdf is no longer stored: ask an administrator to restore it."
    )
    spaniard = UserFactory(role=Role.SERVICE_AGENT, language="es")
    in_spanish = api_as(spaniard).get(f"/cases/{case.pk}/files/{attachment.pk}")
    assert "El archivo acta.pdf ya no está guardado" in in_spanish.json()["detail"]
