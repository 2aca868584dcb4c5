"""Files on a case: agents attach them to replies and notes (limits as clear errors,
nothing written), they are kept with the message and listed on the case with the
customer's e-mail attachments, downloaded only by who sees the case, and a reply's go
out with its e-mail (a real SMTP server)."""

from email import message_from_bytes, policy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from panorama.accounts.models import Role
from panorama.channels.mail.importer import mail_import
from panorama.channels.models import Mailbox
from panorama.channels.outbound.models import SendingIdentity
from panorama.core.exceptions import ValidationFailed
from panorama.service.models import Case, CaseAttachment, CaseMessage
from panorama.service.services.case import case_message_add, case_open
from tests.channels.conftest import AGENT, make_mail

from ..factories import CustomerFactory, IdentityFactory, QueueFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def desk():
    SendingIdentity.objects.create(name="Soporte", from_address=AGENT)
    ana = CustomerFactory(first_name="Ana", last_name="García")
    IdentityFactory(customer=ana, kind="email", value="ana@example.com")
    agent = UserFactory(username="eva", role=Role.SERVICE_AGENT)
    case = case_open(by=agent, customer_id=ana.pk, subject="Factura duplicada")
    return ana, agent, case


def test_a_replys_files_are_kept_listed_downloaded_and_emailed(desk, smtp, client):
    ana, agent, case = desk
    client.force_login(agent)
    response = client.post(
        f"/service/cases/{case.pk}/messages/",
        {
            "kind": "reply",
            "body": "Le adjunto la factura corregida.",
            "attachments": [
                SimpleUploadedFile("factura.pdf", PDF, "application/pdf"),
                SimpleUploadedFile("detalle.csv", b"linea;importe\n1;10\n", "text/csv"),
            ],
        },
    )
    assert response.status_code == 302
    reply = CaseMessage.objects.get(case=case, kind="reply")
    assert [a.filename for a in reply.attachments.all()] == ["factura.pdf", "detalle.csv"]
    assert reply.delivery == "sent"
    [(_rcpt, content)] = smtp.messages
    mail = message_from_bytes(content, policy=policy.default)
    files = {part.get_filename(): part.get_content() for part in mail.iter_attachments()}
    assert files["factura.pdf"] == PDF and "1;10" in files["detalle.csv"]

    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    pdf = reply.attachments.get(filename="factura.pdf")
    assert 'id="case-files"' in page and f"/service/cases/{case.pk}/files/{pdf.pk}/" in page
    download = client.get(f"/service/cases/{case.pk}/files/{pdf.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]

    # A rep who does not see Ana sees neither the case nor its files.
    client.force_login(UserFactory(role=Role.SALES_REP))
    assert client.get(f"/service/cases/{case.pk}/files/{pdf.pk}/").status_code == 404
    # Another case's id with this file's id: 404 too.
    other = case_open(by=agent, customer_id=ana.pk, subject="Otra")
    client.force_login(agent)
    assert client.get(f"/service/cases/{other.pk}/files/{pdf.pk}/").status_code == 404


def test_a_note_keeps_its_file_and_is_not_sent(desk, smtp):
    _ana, agent, case = desk
    note = case_message_add(
        by=agent,
        case_id=case.pk,
        kind="note",
        body="Captura del error",
        attachments=[("pantalla.png", b"\x89PNG\r\n\x1a\n", "image/png")],
    )
    assert note.attachments.get().content_type == "image/png" and not smtp.messages


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ([("virus.exe", b"MZ")], "virus.exe cannot be attached: only pdf, png"),
        ([("sin-extension", b"x")], "sin-extension cannot be attached"),
        ([(f"f{i}.txt", b"x") for i in range(6)], "at most 5 files"),
        ([("grande.pdf", b"x" * 2048)], "grande.pdf is too large (2.0\xa0KB): at most 1.0\xa0KB"),
    ],
)
def test_files_over_the_limits_are_refused_and_nothing_is_written(desk, settings, files, words):
    _ana, agent, case = desk
    settings.PANORAMA_CASE_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationFailed) as error:
        case_message_add(by=agent, case_id=case.pk, body="Adjunto", attachments=files)
    assert error.value.field == "attachments" and words in str(error.value.message)
    assert not CaseMessage.objects.filter(case=case).exists()
    assert not CaseAttachment.objects.exists()


def test_the_page_shows_the_limit_error_in_both_languages(desk, client):
    _ana, agent, case = desk
    client.force_login(agent)
    form = {"kind": "note", "body": "x", "attachments": [SimpleUploadedFile("a.exe", b"MZ")]}
    response = client.post(f"/service/cases/{case.pk}/messages/", form)
    assert response.status_code == 422
    assert "a.exe cannot be attached" in response.content.decode()
    form["attachments"] = [SimpleUploadedFile("a.exe", b"MZ")]
    spanish = client.post(f"/service/cases/{case.pk}/messages/", form, HTTP_ACCEPT_LANGUAGE="es")
    assert "a.exe no se puede adjuntar" in spanish.content.decode()
    assert not CaseMessage.objects.exists()


def test_the_customers_email_attachments_are_listed_on_the_case(client, api_as):
    queue = QueueFactory(name="Facturas")
    mailbox = Mailbox.objects.create(
        name="Soporte",
        address=AGENT,
        host="127.0.0.1",
        username=AGENT,
        creates_cases=True,
        queue=queue,
        auto_reply=False,
    )
    ana = CustomerFactory()
    IdentityFactory(customer=ana, kind="email", value="ana@example.com")
    mail_import(
        raw=make_mail(attachments=[("recibo.pdf", PDF, "application/pdf")]), mailbox=mailbox
    )
    case = Case.objects.get(customer=ana)
    agent = UserFactory(role=Role.SERVICE_AGENT)
    client.force_login(agent)
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert 'id="case-files"' in page and "recibo.pdf" in page and "from the customer" in page
    # The API lists an agent's files on the messages.
    case_message_add(
        by=agent, case_id=case.pk, kind="note", body="ok", attachments=[("n.txt", b"nota")]
    )
    [note] = api_as(agent).get(f"/cases/{case.pk}/messages").json()
    assert [f["filename"] for f in note["attachments"]] == ["n.txt"]
    file_id = note["attachments"][0]["id"]
    download = api_as(agent).get(f"/cases/{case.pk}/files/{file_id}")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"nota"
