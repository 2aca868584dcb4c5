"""Files from the start and on the timeline: the new-case form takes files (the same
rules as a reply's; a refused one opens no case and keeps what was typed), a reply's
files are named on the customer's ficha timeline, and an internal note's files never
reach the customer (no timeline entry, never in a reply's e-mail)."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from panorama.accounts.models import Role
from panorama.channels.models import Interaction
from panorama.channels.outbound.models import SendingIdentity
from panorama.core.exceptions import ValidationFailed
from panorama.service.models import Case, CaseAttachment, CaseMessage
from panorama.service.services.case import case_message_add, case_open

from ..factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def agent():
    return UserFactory(username="eva", first_name="Eva", role=Role.SERVICE_AGENT)


@pytest.fixture
def ana():
    return CustomerFactory(first_name="Ana", last_name="García")


def _new_case(client, ana, *files, subject="Factura duplicada", **headers):
    return client.post(
        f"/service/cases/new/?customer={ana.pk}",
        {
            "customer": ana.pk,
            "subject": subject,
            "type": "question",
            "priority": "normal",
            "channel": "in_person",
            "description": "Trae la factura en papel.",
            "attachments": list(files),
        },
        **headers,
    )


def test_the_new_case_form_keeps_its_files_on_the_case(client, agent, ana):
    client.force_login(agent)
    form = client.get(f"/service/cases/new/?customer={ana.pk}").content.decode()
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form and "multiple" in form

    response = _new_case(
        client,
        ana,
        SimpleUploadedFile("factura.pdf", PDF, "application/pdf"),
        SimpleUploadedFile("foto.png", b"\x89PNG\r\n\x1a\n", "image/png"),
    )
    case = Case.objects.get(customer=ana)
    assert response.status_code == 302 and response.url == f"/service/cases/{case.pk}/"
    [note] = CaseMessage.objects.filter(case=case)
    assert note.kind == "note" and note.author == agent
    assert [a.filename for a in note.attachments.all()] == ["factura.pdf", "foto.png"]

    page = client.get(response.url).content.decode()
    pdf = note.attachments.get(filename="factura.pdf")
    assert "Files attached when the case was opened." in page
    assert f"/service/cases/{case.pk}/files/{pdf.pk}/" in page and "foto.png" in page
    download = client.get(f"/service/cases/{case.pk}/files/{pdf.pk}/")
    assert b"".join(download.streaming_content) == PDF


def test_a_new_case_without_files_has_no_note(client, agent, ana):
    client.force_login(agent)
    assert _new_case(client, ana).status_code == 302
    assert not CaseMessage.objects.exists()


def test_a_refused_file_opens_no_case_and_keeps_what_was_typed(client, agent, ana, settings):
    client.force_login(agent)
    settings.PANORAMA_CASE_ATTACHMENT_MAX_BYTES = 1024
    response = _new_case(
        client,
        ana,
        SimpleUploadedFile("factura.pdf", PDF),
        SimpleUploadedFile("programa.exe", b"MZ"),
        subject="Cobro repetido",
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "programa.exe cannot be attached: only pdf, png" in page
    assert 'value="Cobro repetido"' in page and "Trae la factura en papel." in page
    assert 'id="id_attachments-error"' in page
    too_large = _new_case(client, ana, SimpleUploadedFile("grande.pdf", b"x" * 2048))
    assert "grande.pdf is too large (2.0\xa0KB): at most 1.0\xa0KB" in too_large.content.decode()
    spanish = _new_case(
        client, ana, SimpleUploadedFile("programa.exe", b"MZ"), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "programa.exe no se puede adjuntar" in spanish.content.decode()
    # Not half-created: no case, no note, no file, nothing on the timeline.
    assert not Case.objects.exists() and not CaseAttachment.objects.exists()
    assert not Interaction.objects.filter(customer=ana).exists()


def test_case_open_checks_the_files_before_writing_anything(agent, ana):
    with pytest.raises(ValidationFailed) as error:
        case_open(
            by=agent,
            customer_id=ana.pk,
            subject="Seis ficheros",
            attachments=[(f"f{i}.txt", b"x") for i in range(6)],
        )
    assert error.value.field == "attachments" and "at most 5 files" in str(error.value.message)
    assert not Case.objects.exists() and not Interaction.objects.exists()


def test_a_replys_files_are_named_on_the_ficha_timeline(client, agent, ana):
    case = case_open(by=agent, customer_id=ana.pk, subject="Factura duplicada")
    reply = case_message_add(
        by=agent,
        case_id=case.pk,
        body="Le adjunto la factura corregida.",
        attachments=[("factura.pdf", PDF), ("detalle.csv", b"1;10\n")],
    )
    assert reply.interaction.metadata["files"] == ["factura.pdf", "detalle.csv"]
    client.force_login(agent)
    ficha = client.get(f"/customers/{ana.pk}/").content.decode()
    assert "2 files: factura.pdf, detalle.csv" in ficha
    spanish = client.get(f"/customers/{ana.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "2 ficheros: factura.pdf, detalle.csv" in spanish


def test_an_emailed_replys_timeline_entry_names_its_files(
    agent, ana, django_capture_on_commit_callbacks
):
    SendingIdentity.objects.create(name="Soporte", from_address="soporte@example.com")
    IdentityFactory(customer=ana, kind="email", value="ana@example.com")
    case = case_open(by=agent, customer_id=ana.pk, subject="Factura duplicada")
    with django_capture_on_commit_callbacks(execute=True):
        message = case_message_add(
            by=agent, case_id=case.pk, body="Adjunto", attachments=[("factura.pdf", PDF)]
        )
    message.refresh_from_db()
    assert message.delivery == "sent" and message.interaction.channel == "email"
    assert message.interaction.metadata["files"] == ["factura.pdf"]


def test_a_notes_files_never_reach_the_customer(
    client, agent, ana, django_capture_on_commit_callbacks
):
    SendingIdentity.objects.create(name="Soporte", from_address="soporte@example.com")
    IdentityFactory(customer=ana, kind="email", value="ana@example.com")
    case = case_open(by=agent, customer_id=ana.pk, subject="Factura duplicada")
    with django_capture_on_commit_callbacks(execute=True):
        note = case_message_add(
            by=agent,
            case_id=case.pk,
            kind="note",
            body="Captura interna",
            attachments=[("interno.png", b"\x89PNG\r\n\x1a\n")],
        )
        case_message_add(
            by=agent, case_id=case.pk, body="Su factura", attachments=[("factura.pdf", PDF)]
        )
    assert note.interaction is None and not mail.outbox[1:]
    [sent] = mail.outbox
    assert [name for name, _content, _type in sent.attachments] == ["factura.pdf"]
    assert "interno.png" not in sent.body
    assert all("interno.png" not in i.metadata.get("files", []) for i in Interaction.objects.all())
    client.force_login(agent)
    ficha = client.get(f"/customers/{ana.pk}/").content.decode()
    assert "factura.pdf" in ficha and "interno.png" not in ficha
